using System.Diagnostics.Metrics;

namespace Gdpr.Diagnostics;

/// <summary>
/// The engine's instruments (meter <c>Gdpr</c>). Tags carry scopes and outcomes only — never a subject id, a
/// pseudonym or a value — so metrics backends never receive personal data.
/// </summary>
internal sealed class GdprMetrics : IDisposable
{
    public const string MeterName = "Gdpr";

    private readonly Meter _meter;

    public GdprMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        KeysCreated = _meter.CreateCounter<long>("gdpr.keys.created", "{key}", "Data keys created (first write of a subject in a scope).");
        KeysShredded = _meter.CreateCounter<long>("gdpr.keys.shredded", "{key}", "Data keys destroyed (crypto-shredding).");
        KeyLoads = _meter.CreateCounter<long>("gdpr.keys.cache.loads", "{load}", "Key cache misses that went to the key store.");
        IntegrityFailures = _meter.CreateCounter<long>("gdpr.integrity.failures", "{failure}", "Envelopes that failed authentication or parsing.");
    }

    public Counter<long> KeysCreated { get; }

    public Counter<long> KeysShredded { get; }

    public Counter<long> KeyLoads { get; }

    public Counter<long> IntegrityFailures { get; }

    public void Dispose() => _meter.Dispose();
}
