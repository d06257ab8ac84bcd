using Gdpr.Erasure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gdpr.Audit;

/// <summary>Hashes and chains entries over any <see cref="IAuditStore"/>, and verifies the chain.</summary>
internal sealed class AuditTrail : IAuditTrail, IDisposable
{
    private const int MaxAppendAttempts = 10;

    private readonly IAuditStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Appends of this process queue here; appends of other processes are caught by the store's sequence check.
    private readonly SemaphoreSlim _appendLock = new(1, 1);

    public AuditTrail(IAuditStore store, TimeProvider time, ILogger<AuditTrail>? logger = null)
    {
        _store = store;
        _time = time;
        _logger = logger ?? NullLogger<AuditTrail>.Instance;
    }

    public async ValueTask<IReadOnlyList<AuditEntry>> AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return [];
        }

        foreach (var e in events)
        {
            ArgumentNullException.ThrowIfNull(e);
            ArgumentException.ThrowIfNullOrEmpty(e.Kind, nameof(events));
            ArgumentNullException.ThrowIfNull(e.Details, nameof(events));
        }

        await _appendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var last = await _store.GetLastAsync(cancellationToken).ConfigureAwait(false);
                var entries = Chain(last, events);
                if (await _store.TryAppendAsync(entries, cancellationToken).ConfigureAwait(false))
                {
                    return entries;
                }

                // Another process appended between our read and our write: chain onto its entries instead.
                ErasureLog.AuditAppendConflict(_logger, attempt);
                if (attempt == MaxAppendAttempts)
                {
                    throw new InvalidOperationException($"The audit trail could not be appended to after {MaxAppendAttempts} attempts: other writers kept appending first.");
                }
            }
        }
        finally
        {
            _appendLock.Release();
        }
    }

    public IAsyncEnumerable<AuditEntry> ReadAsync(long fromSequence = 1, CancellationToken cancellationToken = default)
        => _store.ReadAsync(fromSequence, cancellationToken);

    public async ValueTask<AuditVerificationResult> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var expectedSequence = 1L;
        var previousHash = AuditEntryHasher.GenesisHash;
        long checkedCount = 0;
        await foreach (var entry in _store.ReadAsync(1, cancellationToken).ConfigureAwait(false))
        {
            checkedCount++;
            var broken = entry.Sequence != expectedSequence ? AuditChainBreak.SequenceBroken
                : !string.Equals(entry.PreviousHash, previousHash, StringComparison.Ordinal) ? AuditChainBreak.LinkBroken
                : !string.Equals(AuditEntryHasher.ComputeHash(entry), entry.Hash, StringComparison.Ordinal) ? AuditChainBreak.EntryAltered
                : AuditChainBreak.None;
            if (broken != AuditChainBreak.None)
            {
                ErasureLog.AuditChainBroken(_logger, expectedSequence, broken);
                return new AuditVerificationResult(checkedCount, expectedSequence, broken, HeadHash: null);
            }

            previousHash = entry.Hash;
            expectedSequence++;
        }

        return new AuditVerificationResult(checkedCount, FirstBrokenSequence: null, AuditChainBreak.None, previousHash);
    }

    public void Dispose() => _appendLock.Dispose();

    private List<AuditEntry> Chain(AuditEntry? last, IReadOnlyList<AuditEvent> events)
    {
        var sequence = last?.Sequence ?? 0;
        var previousHash = last?.Hash ?? AuditEntryHasher.GenesisHash;
        var now = _time.GetUtcNow().ToUniversalTime();
        var entries = new List<AuditEntry>(events.Count);
        foreach (var e in events)
        {
            // Copy the details so a caller changing its dictionary later cannot change a hashed entry.
            var details = new SortedDictionary<string, string>(e.Details.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal), StringComparer.Ordinal);
            var entry = new AuditEntry(++sequence, now, e.Kind, e.Subject, details, previousHash, Hash: string.Empty);
            entry = entry with { Hash = AuditEntryHasher.ComputeHash(entry) };
            entries.Add(entry);
            previousHash = entry.Hash;
        }

        return entries;
    }
}
