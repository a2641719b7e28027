using Merchant.Api.Hosting;

var app = MerchantApp.Build(args);
app.Run();
