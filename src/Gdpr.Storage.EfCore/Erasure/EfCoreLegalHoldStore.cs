using Gdpr.Storage.EfCore.Model;
using Gdpr.Erasure;
using Gdpr.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gdpr.Storage.EfCore.Erasure;

/// <summary>
/// Keeps legal holds in a table of the application's database (<see cref="LegalHoldModelBuilderExtensions.AddGdprLegalHolds"/>),
/// so that a hold survives restarts: a hold kept only in memory would vanish and let the sweeper destroy data a
/// court case needs (GDPR Art. 17(3)(e)). Released holds stay in the table as history.
/// </summary>
/// <typeparam name="TContext">The application's DbContext, registered with <c>AddDbContextFactory</c>.</typeparam>
public sealed class EfCoreLegalHoldStore<TContext> : ILegalHoldStore
    where TContext : DbContext
{
    private const int InListChunk = 500;

    private readonly IDbContextFactory<TContext> _contexts;

    /// <summary>Initializes a new instance of the <see cref="EfCoreLegalHoldStore{TContext}"/> class.</summary>
    /// <param name="contexts">Creates the application's DbContext.</param>
    public EfCoreLegalHoldStore(IDbContextFactory<TContext> contexts)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        _contexts = contexts;
    }

    /// <inheritdoc/>
    public async ValueTask AddAsync(LegalHold hold, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hold);
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            db.Add(new LegalHoldRow
            {
                Id = hold.Id,
                Subject = hold.Subject.Value,
                Reason = hold.Reason,
                PlacedAtUtcTicks = hold.PlacedAt.UtcTicks,
                ReleasedAtUtcTicks = hold.ReleasedAt?.UtcTicks,
            });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<LegalHold?> ReleaseAsync(SubjectPseudonym subject, string holdId, DateTimeOffset releasedAt, CancellationToken cancellationToken = default)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            // Conditional update: of two concurrent releases only one changes the row and reports the release.
            var ticks = releasedAt.UtcTicks;
            var released = await db.Set<LegalHoldRow>()
                .Where(h => h.Id == holdId && h.Subject == subject.Value && h.ReleasedAtUtcTicks == null)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.ReleasedAtUtcTicks, (long?)ticks), cancellationToken).ConfigureAwait(false);
            if (released == 0)
            {
                return null;
            }

            var row = await db.Set<LegalHoldRow>().AsNoTracking().SingleAsync(h => h.Id == holdId, cancellationToken).ConfigureAwait(false);
            return ToHold(row);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<LegalHold>> GetActiveAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var rows = await db.Set<LegalHoldRow>().AsNoTracking()
                .Where(h => h.Subject == subject.Value && h.ReleasedAtUtcTicks == null)
                .OrderBy(h => h.PlacedAtUtcTicks)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. rows.Select(ToHold)];
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlySet<SubjectPseudonym>> GetHeldAsync(IReadOnlyCollection<SubjectPseudonym> subjects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var held = new HashSet<SubjectPseudonym>();
        if (subjects.Count == 0)
        {
            return held;
        }

        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            foreach (var chunk in subjects.Select(s => s.Value).Distinct(StringComparer.Ordinal).Chunk(InListChunk))
            {
                var found = await db.Set<LegalHoldRow>().AsNoTracking()
                    .Where(h => h.ReleasedAtUtcTicks == null && chunk.Contains(h.Subject))
                    .Select(h => h.Subject)
                    .Distinct()
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                held.UnionWith(found.Select(s => new SubjectPseudonym(s)));
            }
        }

        return held;
    }

    private static LegalHold ToHold(LegalHoldRow row) => new(
        row.Id,
        new SubjectPseudonym(row.Subject),
        row.Reason,
        GdprTableConventions.FromUtcTicks(row.PlacedAtUtcTicks),
        row.ReleasedAtUtcTicks is { } released ? GdprTableConventions.FromUtcTicks(released) : null);
}

/// <summary>One legal hold as stored. Times are UTC ticks so every provider compares and round-trips them exactly.</summary>
internal sealed class LegalHoldRow
{
    public string Id { get; set; } = string.Empty;

    public string Subject { get; set; } = string.Empty;

    public string Reason { get; set; } = string.Empty;

    public long PlacedAtUtcTicks { get; set; }

    public long? ReleasedAtUtcTicks { get; set; }
}
