using Gdpr.Encryption.Infrastructure;
using Gdpr.Encryption;
using Gdpr.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Core.Tests.TestSupport;

/// <summary>
/// Builds a real Gdpr service provider (no mocks) with a fake clock and a log collector. Key store and KEK
/// provider can be shared between hosts to simulate a restart or a second node with an empty cache.
/// </summary>
internal sealed class GdprTestHost : IAsyncDisposable
{
    /// <summary>A fixed 32-byte pseudonym key, so pseudonyms are stable across hosts of one test.</summary>
    public static readonly byte[] PseudonymKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private GdprTestHost(ServiceProvider services, FakeTimeProvider time)
    {
        Services = services;
        Time = time;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public ISpanFieldEncryptor Encryptor => Services.GetRequiredService<ISpanFieldEncryptor>();

    public ISubjectKeyManager Keys => Services.GetRequiredService<ISubjectKeyManager>();

    public ISubjectKeyStore Store => Services.GetRequiredService<ISubjectKeyStore>();

    public IKeyEncryptionKeyProvider Kek => Services.GetRequiredService<IKeyEncryptionKeyProvider>();

    public DataKeyCache Cache => Services.GetRequiredService<DataKeyCache>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public static GdprTestHost Create(
        FieldEncryptionAlgorithm algorithm = FieldEncryptionAlgorithm.Aegis256,
        Action<GdprOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        FakeTimeProvider? time = null,
        ISubjectKeyStore? store = null,
        IKeyEncryptionKeyProvider? kek = null,
        Action<IGdprBuilder>? gdpr = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        collection.AddFakeLogging();

        // Registered before AddGdpr so its TryAdd calls keep ours.
        collection.AddSingleton<TimeProvider>(time);
        if (store is not null)
        {
            collection.AddSingleton(store);
        }

        if (kek is not null)
        {
            collection.AddSingleton(kek);
        }

        services?.Invoke(collection);
        var builder = collection.AddGdpr(o =>
        {
            o.PseudonymKey = PseudonymKey;
            o.Algorithm = algorithm;
            configure?.Invoke(o);
        }).UseInMemoryStores();
        gdpr?.Invoke(builder);

        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _ = provider.GetRequiredService<IOptions<GdprOptions>>().Value;
        return new GdprTestHost(provider, time);
    }

    public static LocalKeyEncryptionKeyProvider CreateInMemoryKeyRing(TimeProvider? time = null)
        => new(Options.Create(new LocalKeyRingOptions()), time ?? TimeProvider.System);

    /// <summary>Every text a log line or an exception in it carries, for "no personal data" assertions.</summary>
    public IEnumerable<string> AllLogText()
    {
        foreach (var record in Logs.GetSnapshot())
        {
            yield return record.Message;
            yield return record.ToString();
            if (record.StructuredState is not null)
            {
                foreach (var pair in record.StructuredState)
                {
                    yield return pair.Value ?? string.Empty;
                }
            }

            for (var ex = record.Exception; ex is not null; ex = ex.InnerException)
            {
                yield return ex.ToString();
            }
        }
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
