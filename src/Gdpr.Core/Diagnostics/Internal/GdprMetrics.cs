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
    private long _requestsOpen;
    private long _requestsOverdue;

    public GdprMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        KeysCreated = _meter.CreateCounter<long>("gdpr.keys.created", "{key}", "Data keys created (first write of a subject in a scope).");
        KeysShredded = _meter.CreateCounter<long>("gdpr.keys.shredded", "{key}", "Data keys destroyed (crypto-shredding).");
        KeyLoads = _meter.CreateCounter<long>("gdpr.keys.cache.loads", "{load}", "Key cache misses that went to the key store.");
        IntegrityFailures = _meter.CreateCounter<long>("gdpr.integrity.failures", "{failure}", "Envelopes that failed authentication or parsing.");
        RequestsReceived = _meter.CreateCounter<long>("gdpr.requests.received", "{request}", "Data-subject requests received (tag channel).");
        RequestsClosed = _meter.CreateCounter<long>("gdpr.requests.closed", "{request}", "Data-subject requests completed or refused (tags outcome, within_deadline).");
        _meter.CreateObservableGauge("gdpr.requests.open", () => Volatile.Read(ref _requestsOpen), "{request}", "Open data-subject requests, as last counted.");
        _meter.CreateObservableGauge("gdpr.requests.overdue", () => Volatile.Read(ref _requestsOverdue), "{request}", "Open data-subject requests past their last day, as last counted.");
    }

    public Counter<long> KeysCreated { get; }

    public Counter<long> KeysShredded { get; }

    public Counter<long> KeyLoads { get; }

    public Counter<long> IntegrityFailures { get; }

    public Counter<long> RequestsReceived { get; }

    public Counter<long> RequestsClosed { get; }

    /// <summary>Sets what the request gauges report, from a count of the request store.</summary>
    public void SetRequestCounts(long open, long overdue)
    {
        Volatile.Write(ref _requestsOpen, open);
        Volatile.Write(ref _requestsOverdue, overdue);
    }

    public void Dispose() => _meter.Dispose();
}
