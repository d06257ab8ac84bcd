using Gdpr.Storage.EfCore.Model;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Retention;

/// <summary>
/// Keeps the retention schedule in tables of the application's database
/// (<see cref="RetentionModelBuilderExtensions.AddGdprRetentionSchedule"/>). Due entries are paged by the
/// (subject, scope) primary key in the database's order, with an index on the destroy-after time.
/// </summary>
/// <typeparam name="TContext">The application's DbContext, registered with <c>AddDbContextFactory</c>.</typeparam>
public sealed class EfCoreRetentionScheduleStore<TContext> : IRetentionScheduleStore
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contexts;

    /// <summary>Initializes a new instance of the <see cref="EfCoreRetentionScheduleStore{TContext}"/> class.</summary>
    /// <param name="contexts">Creates the application's DbContext.</param>
    public EfCoreRetentionScheduleStore(IDbContextFactory<TContext> contexts)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        _contexts = contexts;
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(RetentionScheduleEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.Scope);
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var ticks = entry.DestroyAfter.UtcTicks;
            var updated = await db.Set<RetentionScheduleRow>()
                .Where(r => r.Subject == entry.Subject.Value && r.Scope == entry.Scope)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.DestroyAfterUtcTicks, ticks), cancellationToken).ConfigureAwait(false);
            if (updated == 0)
            {
                db.Add(new RetentionScheduleRow { Subject = entry.Subject.Value, Scope = entry.Scope, DestroyAfterUtcTicks = ticks });
                try
                {
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DbUpdateException)
                {
                    // Another writer inserted the same (subject, scope) first: an upsert, so write ours over it.
                    await SetExistingAsync(entry, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<RetentionScheduleEntry?> GetAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var row = await db.Set<RetentionScheduleRow>().AsNoTracking()
                .FirstOrDefaultAsync(r => r.Subject == subject.Value && r.Scope == scope, cancellationToken).ConfigureAwait(false);
            return row is null ? null : ToEntry(row);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<RetentionScheduleEntry>> GetDueAsync(DateTimeOffset dueBy, RetentionScheduleKey? after, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var dueTicks = dueBy.UtcTicks;
            var query = db.Set<RetentionScheduleRow>().AsNoTracking().Where(r => r.DestroyAfterUtcTicks <= dueTicks);
            if (after is { } cursor)
            {
                var subject = cursor.Subject.Value;
                var scope = cursor.Scope;
                query = query.Where(r => string.Compare(r.Subject, subject) > 0 || (r.Subject == subject && string.Compare(r.Scope, scope) > 0));
            }

            var rows = await query.OrderBy(r => r.Subject).ThenBy(r => r.Scope).Take(maxCount).ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. rows.Select(ToEntry)];
        }
    }

    /// <inheritdoc/>
    public async ValueTask RemoveAsync(IReadOnlyCollection<RetentionScheduleKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return;
        }

        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            // One statement per scope: a sweep batch holds many subjects and few scopes; (subject IN ..., scope) uses the primary key.
            foreach (var group in keys.GroupBy(k => k.Scope, StringComparer.Ordinal))
            {
                var scope = group.Key;
                foreach (var chunk in group.Select(k => k.Subject.Value).Distinct(StringComparer.Ordinal).Chunk(500))
                {
                    await db.Set<RetentionScheduleRow>()
                        .Where(r => r.Scope == scope && chunk.Contains(r.Subject))
                        .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<DateTimeOffset?> GetRelationshipEndAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var row = await db.Set<RelationshipEndRow>().AsNoTracking()
                .FirstOrDefaultAsync(r => r.Subject == subject.Value, cancellationToken).ConfigureAwait(false);
            return row is null ? null : GdprTableConventions.FromUtcTicks(row.EndedAtUtcTicks);
        }
    }

    /// <inheritdoc/>
    public async ValueTask SetRelationshipEndAsync(SubjectPseudonym subject, DateTimeOffset endedAt, CancellationToken cancellationToken = default)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var ticks = endedAt.UtcTicks;
            var updated = await db.Set<RelationshipEndRow>()
                .Where(r => r.Subject == subject.Value)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.EndedAtUtcTicks, ticks), cancellationToken).ConfigureAwait(false);
            if (updated == 0)
            {
                db.Add(new RelationshipEndRow { Subject = subject.Value, EndedAtUtcTicks = ticks });
                try
                {
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DbUpdateException)
                {
                    // Inserted concurrently; the last writer wins, as with the update.
                    await db.Set<RelationshipEndRow>().Where(r => r.Subject == subject.Value)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.EndedAtUtcTicks, ticks), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async ValueTask SetExistingAsync(RetentionScheduleEntry entry, CancellationToken cancellationToken)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var ticks = entry.DestroyAfter.UtcTicks;
            await db.Set<RetentionScheduleRow>()
                .Where(r => r.Subject == entry.Subject.Value && r.Scope == entry.Scope)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.DestroyAfterUtcTicks, ticks), cancellationToken).ConfigureAwait(false);
        }
    }

    private static RetentionScheduleEntry ToEntry(RetentionScheduleRow row)
        => new(new SubjectPseudonym(row.Subject), row.Scope, GdprTableConventions.FromUtcTicks(row.DestroyAfterUtcTicks));
}

/// <summary>When one (subject pseudonym, scope) is destroyed. UTC ticks so every provider compares them exactly.</summary>
internal sealed class RetentionScheduleRow
{
    public string Subject { get; set; } = string.Empty;

    public string Scope { get; set; } = string.Empty;

    public long DestroyAfterUtcTicks { get; set; }
}

/// <summary>When the relationship with one subject (pseudonym) ended.</summary>
internal sealed class RelationshipEndRow
{
    public string Subject { get; set; } = string.Empty;

    public long EndedAtUtcTicks { get; set; }
}
