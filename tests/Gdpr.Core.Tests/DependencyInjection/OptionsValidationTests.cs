using Gdpr.Core.Tests.TestSupport;
using Gdpr.Encryption;
using Gdpr.Export;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Core.Tests.DependencyInjection;

/// <summary>Misconfiguration fails at start, naming the setting — not later, on the first personal value.</summary>
public class OptionsValidationTests
{
    public static TheoryData<string, Action<GdprOptions>> BadOptions() => new()
    {
        { "GdprOptions.PseudonymKey", o => o.PseudonymKey = null },
        { "GdprOptions.PseudonymKey", o => o.PseudonymKey = new byte[31] },
        { "GdprOptions.PseudonymKey", o => o.PseudonymKey = [] },
        { "GdprOptions.Algorithm", o => o.Algorithm = (FieldEncryptionAlgorithm)99 },
        { "GdprOptions.KeyCache.MaxEntries", o => o.KeyCache.MaxEntries = 0 },
        { "GdprOptions.KeyCache.MaxEntries", o => o.KeyCache.MaxEntries = 10_000_001 },
        { "GdprOptions.KeyCache.MaxAge", o => o.KeyCache.MaxAge = TimeSpan.Zero },
        { "GdprOptions.KeyCache.MaxAge", o => o.KeyCache.MaxAge = TimeSpan.FromSeconds(-1) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void AddGdpr_InvalidOptions_FailsAtStartNamingTheSetting(string setting, Action<GdprOptions> breakIt)
    {
        using var provider = Build(breakIt);

        // What the host does at start (ValidateOnStart) ...
        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(setting, atStart.Message, StringComparison.Ordinal);

        // ... and what any first use does.
        var onUse = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GdprOptions>>().Value);
        Assert.Contains(setting, onUse.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IFieldEncryptor>());
    }

    public static TheoryData<string, Action<RetentionSweeperOptions>> BadSweeperOptions() => new()
    {
        { "RetentionSweeperOptions.Interval", o => o.Interval = TimeSpan.Zero },
        { "RetentionSweeperOptions.Interval", o => o.Interval = TimeSpan.FromSeconds(-1) },
        { "RetentionSweeperOptions.BatchSize", o => o.BatchSize = 0 },
        { "RetentionSweeperOptions.BatchSize", o => o.BatchSize = 100_001 },
    };

    [Theory]
    [MemberData(nameof(BadSweeperOptions))]
    public void AddRetentionSweeper_InvalidOptions_FailsAtStartNamingTheSetting(string setting, Action<RetentionSweeperOptions> breakIt)
    {
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = GdprTestHost.PseudonymKey).UseInMemoryStores().AddRetentionSweeper(breakIt);
        using var provider = services.BuildServiceProvider();

        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(setting, atStart.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("GdprOptions", atStart.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1023)]
    [InlineData(16 * 1024 * 1024 + 1)]
    public void ConfigureExport_FlushThresholdOutOfRange_FailsAtStartNamingTheSetting(int bytes)
    {
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = GdprTestHost.PseudonymKey).UseInMemoryStores().ConfigureExport(o =>
        {
            o.Controller.Name = "Example B.V.";
            o.Controller.Contact = "privacy@example.org";
            o.FlushThresholdBytes = bytes;
        });
        using var provider = services.BuildServiceProvider();

        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ExportOptions.FlushThresholdBytes", atStart.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGdpr_ValidOptions_PassStartValidation()
    {
        using var provider = Build(_ => { });
        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(FieldEncryptionAlgorithm.Aegis256, provider.GetRequiredService<IFieldEncryptor>().Algorithm);
    }

    [Fact]
    public void AddGdpr_ShortPseudonymKey_MessageDoesNotContainTheKey()
    {
        var key = Enumerable.Repeat((byte)0x5A, 16).ToArray();
        using var provider = Build(o => o.PseudonymKey = key);
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GdprOptions>>().Value);

        Assert.DoesNotContain(Convert.ToBase64String(key), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(key), ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AddGdpr_RegistersDefaults_AndKeepsWhatWasRegisteredBefore()
    {
        var time = new FakeTimeProvider();
        var store = new InMemorySubjectKeyStore();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<ISubjectKeyStore>(store);
        services.AddGdpr(o => o.PseudonymKey = GdprTestHost.PseudonymKey).UseInMemoryStores();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
        Assert.Same(store, provider.GetRequiredService<ISubjectKeyStore>());
        Assert.IsType<LocalKeyEncryptionKeyProvider>(provider.GetRequiredService<IKeyEncryptionKeyProvider>());
        Assert.Same(provider.GetRequiredService<IFieldEncryptor>(), provider.GetRequiredService<IFieldEncryptor>());
        Assert.Same(provider.GetRequiredService<ISubjectKeyManager>(), provider.GetRequiredService<SubjectKeyManager>());
    }

    [Fact]
    public void AddGdpr_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => GdprServiceCollectionExtensions.AddGdpr(null!, _ => { }));
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddGdpr(null!));
        var builder = new ServiceCollection().AddGdpr(_ => { });
        Assert.ThrowsAny<ArgumentException>(() => builder.UseLocalKeyRing(" "));
    }

    private static ServiceProvider Build(Action<GdprOptions> breakIt)
    {
        var services = new ServiceCollection();
        services.AddGdpr(o =>
        {
            o.PseudonymKey = GdprTestHost.PseudonymKey;
            breakIt(o);
        }).UseInMemoryStores();
        return services.BuildServiceProvider();
    }
}
