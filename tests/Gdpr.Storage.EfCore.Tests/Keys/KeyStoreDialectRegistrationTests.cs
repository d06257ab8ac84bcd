using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Keys;

/// <summary>
/// The PostgreSQL specifics live in Gdpr.Storage.EfCore.PostgreSql. A key store on PostgreSQL without its
/// registration must fail loudly, never run silently without locks between nodes, shred notifications and purge.
/// </summary>
public sealed class KeyStoreDialectRegistrationTests
{
    // Never opened: the check reads the context's provider, not the server.
    private const string UnreachablePostgres = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=1";

    [Fact]
    public async Task PostgreSqlKeyStore_WithoutUseEfCorePostgreSql_HostStartFailsNamingThePackageAndTheCall()
    {
        using var host = BuildHost(withPostgreSqlSupport: false);

        var error = await Assert.ThrowsAsync<GdprRegistrationException>(() => host.StartAsync());

        Assert.Equal(nameof(KeyStoreAppContext), error.ContextType);
        Assert.Contains("Gdpr.Storage.EfCore.PostgreSql", error.Message, StringComparison.Ordinal);
        Assert.Contains("UseEfCorePostgreSql()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgreSqlKeyStore_WithoutUseEfCorePostgreSql_NoHost_FirstKeyStoreUseFails()
    {
        var services = new ServiceCollection();
        Configure(services, withPostgreSqlSupport: false);
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<GdprRegistrationException>(
            async () => await provider.GetRequiredService<ISubjectKeyStore>().GetStateAsync(TestHosts.NewPseudonym(), "default"));

        Assert.Contains("UseEfCorePostgreSql()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSqlKeyStore_WithUseEfCorePostgreSql_PassesTheDialectCheck()
    {
        var services = new ServiceCollection();
        Configure(services, withPostgreSqlSupport: true);
        using var provider = services.BuildServiceProvider();

        // The start-up check runs when the context source is first resolved; with the package registered, the only
        // thing left between it and the database is the (unreachable) server.
        var contexts = provider.GetRequiredService<KeyStoreContextSource>();
        using var db = contexts.Create();
        Assert.Equal("PostgreSql", contexts.GetDialect(db).DisplayName);
    }

    private static IHost BuildHost(bool withPostgreSqlSupport)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = Environments.Development });
        Configure(builder.Services, withPostgreSqlSupport);
        return builder.Build();
    }

    private static void Configure(IServiceCollection services, bool withPostgreSqlSupport)
    {
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero)));
        services.AddDbContextFactory<KeyStoreAppContext>((sp, o) => o.UseNpgsql(UnreachablePostgres).UseGdpr(sp));
        var gdpr = services.AddGdpr(o => o.PseudonymKey = TestHosts.PseudonymKey).UseInMemoryStores().UseEfCoreKeyStore<KeyStoreAppContext>();
        if (withPostgreSqlSupport)
        {
            gdpr.UseEfCorePostgreSql();
        }
    }
}
