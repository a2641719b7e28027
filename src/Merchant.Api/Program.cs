using Merchant.Api.Hosting;

var app = MerchantApp.Build(args);
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
