using Gdpr.Keys;

namespace Gdpr.Retention;

/// <summary>
/// Keeps when each (subject, scope) must be destroyed, and when each subject's relationship ended. Subjects are
/// known only by pseudonym, so the sweeper can work without subject ids. The SDK ships an in-memory store; the EF
/// Core adapter ships a database one.
/// </summary>
/// <remarks>Implementations must be safe for concurrent use. Every write is an upsert, so retries are harmless.</remarks>
public interface IRetentionScheduleStore
{
    /// <summary>Creates or replaces the entry of <paramref name="entry"/>'s subject and scope.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the entry is stored.</returns>
    ValueTask SetAsync(RetentionScheduleEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Reads the entry of one subject's scope.</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="scope">The scope.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entry, or <see langword="null"/> when none is scheduled.</returns>
    ValueTask<RetentionScheduleEntry?> GetAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads up to <paramref name="maxCount"/> entries due at <paramref name="dueBy"/> (destroy-after at or before
    /// it), ordered by (subject, scope), starting after <paramref name="after"/>.
    /// </summary>
    /// <remarks>
    /// The order only has to be stable and to agree with the <paramref name="after"/> comparison: ordinal in memory,
    /// the column collation in a database.
    /// </remarks>
    /// <param name="dueBy">The moment entries must be due by.</param>
    /// <param name="after">The last (subject, scope) of the previous page, or <see langword="null"/> for the first page.</param>
    /// <param name="maxCount">The page size.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page; fewer than <paramref name="maxCount"/> entries when it is the last.</returns>
    ValueTask<IReadOnlyList<RetentionScheduleEntry>> GetDueAsync(DateTimeOffset dueBy, RetentionScheduleKey? after, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Removes entries (those whose scope was destroyed). Missing entries are ignored.</summary>
    /// <param name="keys">The (subject, scope) pairs.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the entries are gone.</returns>
    ValueTask RemoveAsync(IReadOnlyCollection<RetentionScheduleKey> keys, CancellationToken cancellationToken = default);

    /// <summary>Reads when the relationship with a subject ended, if recorded.</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The end, or <see langword="null"/>.</returns>
    ValueTask<DateTimeOffset?> GetRelationshipEndAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default);

    /// <summary>Records (or replaces) when the relationship with a subject ended.</summary>
    /// <param name="subject">The subject's pseudonym.</param>
    /// <param name="endedAt">When it ended.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when it is stored.</returns>
    ValueTask SetRelationshipEndAsync(SubjectPseudonym subject, DateTimeOffset endedAt, CancellationToken cancellationToken = default);
}
