using System.Security.Cryptography;
using Gdpr.Audit;
using Gdpr.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gdpr.Erasure;

/// <inheritdoc cref="ILegalHoldService"/>
internal sealed class LegalHoldService : ILegalHoldService
{
    internal const int MaxReasonLength = 500;

    private readonly ISubjectKeyManager _keys;
    private readonly ILegalHoldStore _store;
    private readonly IAuditTrail _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public LegalHoldService(ISubjectKeyManager keys, ILegalHoldStore store, IAuditTrail audit, TimeProvider time, ILogger<LegalHoldService>? logger = null)
    {
        _keys = keys;
        _store = store;
        _audit = audit;
        _time = time;
        _logger = logger ?? NullLogger<LegalHoldService>.Instance;
    }

    public async ValueTask<LegalHold> PlaceHoldAsync(string subjectId, string reason, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > MaxReasonLength)
        {
            throw new ArgumentException($"A legal hold needs a reason (a case reference) of 1 to {MaxReasonLength} characters.", nameof(reason));
        }

        var pseudonym = _keys.GetPseudonym(subjectId);
        var hold = new LegalHold("hold-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), pseudonym, reason, _time.GetUtcNow());
        await _store.AddAsync(hold, cancellationToken).ConfigureAwait(false);
        await _audit.AppendAsync(
            [new AuditEvent(AuditKinds.HoldPlaced, pseudonym, new Dictionary<string, string> { ["holdId"] = hold.Id, ["reason"] = reason })],
            cancellationToken).ConfigureAwait(false);
        ErasureLog.HoldPlaced(_logger, pseudonym.Value, hold.Id);
        if (_store is InMemoryLegalHoldStore)
        {
            ErasureLog.EphemeralLegalHold(_logger, hold.Id);
        }

        return hold;
    }

    public async ValueTask<bool> ReleaseHoldAsync(string subjectId, string holdId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(holdId);
        var pseudonym = _keys.GetPseudonym(subjectId);
        var released = await _store.ReleaseAsync(pseudonym, holdId, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (released is null)
        {
            return false;
        }

        await _audit.AppendAsync(
            [new AuditEvent(AuditKinds.HoldReleased, pseudonym, new Dictionary<string, string> { ["holdId"] = holdId })],
            cancellationToken).ConfigureAwait(false);
        ErasureLog.HoldReleased(_logger, pseudonym.Value, holdId);
        return true;
    }

    public ValueTask<IReadOnlyList<LegalHold>> GetActiveHoldsAsync(string subjectId, CancellationToken cancellationToken = default)
        => _store.GetActiveAsync(_keys.GetPseudonym(subjectId), cancellationToken);
}
