using Merchant.Api.Persistence;
using Npgsql;

namespace Merchant.Api.Tests;

public sealed class MerchantDataSourceTests
{
    [Fact]
    public void The_pool_defaults_apply_unless_the_connection_string_names_them()
    {
        using var defaults = MerchantDataSource.Build("Host=127.0.0.1;Database=merchant");
        var applied = new NpgsqlConnectionStringBuilder(defaults.ConnectionString);
        applied.NoResetOnClose.ShouldBeTrue();
        applied.MaxAutoPrepare.ShouldBe(64);
        applied.MaxPoolSize.ShouldBe(MerchantDataSource.DefaultMaxPoolSize);

        // An operator's choice wins (a transaction-mode pooler needs Max Auto Prepare=0).
        using var named = MerchantDataSource.Build("Host=127.0.0.1;Database=merchant;No Reset On Close=false;Max Auto Prepare=0");
        var kept = new NpgsqlConnectionStringBuilder(named.ConnectionString);
        kept.NoResetOnClose.ShouldBeFalse();
        kept.MaxAutoPrepare.ShouldBe(0);
    }

    [Theory]
    [InlineData("Maximum Pool Size=100")]
    [InlineData("MaxPoolSize=100")]
    [InlineData("maximum pool size=100")]
    public void A_pool_size_the_connection_string_names_is_kept_whichever_name_it_uses(string setting)
    {
        // 100 is Npgsql's own default: an operator who writes it out must get it, not ours.
        using var named = MerchantDataSource.Build($"Host=127.0.0.1;Database=merchant;{setting}");
        new NpgsqlConnectionStringBuilder(named.ConnectionString).MaxPoolSize.ShouldBe(100);
    }
}
