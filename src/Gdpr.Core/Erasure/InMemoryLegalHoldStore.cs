using Gdpr.Keys;

namespace Gdpr.Erasure;

/// <summary>Legal holds in process memory, for tests and single-process use. Lost when the process ends.</summary>
public sealed class InMemoryLegalHoldStore : ILegalHoldStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SubjectPseudonym, List<LegalHold>> _holds = [];

    /// <inheritdoc/>
    public ValueTask AddAsync(LegalHold hold, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hold);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_holds.TryGetValue(hold.Subject, out var list))
            {
                _holds[hold.Subject] = list = [];
            }

            if (list.Any(h => h.Id == hold.Id))
            {
                throw new InvalidOperationException($"Legal hold {hold.Id} already exists.");
            }

            list.Add(hold);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<LegalHold?> ReleaseAsync(SubjectPseudonym subject, string holdId, DateTimeOffset releasedAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_holds.TryGetValue(subject, out var list))
            {
                var index = list.FindIndex(h => h.Id == holdId && h.IsActive);
                if (index >= 0)
                {
                    list[index] = list[index] with { ReleasedAt = releasedAt };
                    return ValueTask.FromResult<LegalHold?>(list[index]);
                }
            }

            return ValueTask.FromResult<LegalHold?>(null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<LegalHold>> GetActiveAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IReadOnlyList<LegalHold> active = _holds.TryGetValue(subject, out var list) ? [.. list.Where(h => h.IsActive)] : [];
            return ValueTask.FromResult(active);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlySet<SubjectPseudonym>> GetHeldAsync(IReadOnlyCollection<SubjectPseudonym> subjects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        cancellationToken.ThrowIfCancellationRequested();
        var held = new HashSet<SubjectPseudonym>();
        lock (_lock)
        {
            foreach (var subject in subjects)
            {
                if (_holds.TryGetValue(subject, out var list) && list.Exists(h => h.IsActive))
                {
                    held.Add(subject);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlySet<SubjectPseudonym>>(held);
    }
}
