using Gdpr.Storage.EfCore.Model;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Gdpr.Audit;
using Gdpr.Keys;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Audit;

/// <summary>
/// Keeps the audit trail in a table of the application's database (<see cref="AuditModelBuilderExtensions.AddGdprAuditTrail"/>).
/// The sequence number is the primary key, so two writers cannot both take the same one; the
/// <see cref="IAuditTrail"/> re-chains and retries the loser.
/// </summary>
/// <typeparam name="TContext">The application's DbContext, registered with <c>AddDbContextFactory</c>.</typeparam>
public sealed class EfCoreAuditStore<TContext> : IAuditStore
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contexts;

    /// <summary>Initializes a new instance of the <see cref="EfCoreAuditStore{TContext}"/> class.</summary>
    /// <param name="contexts">Creates the application's DbContext.</param>
    public EfCoreAuditStore(IDbContextFactory<TContext> contexts)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        _contexts = contexts;
    }

    /// <inheritdoc/>
    public async ValueTask<AuditEntry?> GetLastAsync(CancellationToken cancellationToken = default)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var row = await db.Set<AuditEntryRow>().AsNoTracking().OrderByDescending(e => e.Sequence).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            return row is null ? null : ToEntry(row);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryAppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return true;
        }

        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            if (entries[0].Sequence != await NextSequenceAsync(db, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            db.Set<AuditEntryRow>().AddRange(entries.Select(ToRow));
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException)
            {
                // Another writer inserted those sequence numbers between our check and our insert: the trail retries.
                // Anything else (disk full, a lost connection) is not a conflict and goes to the caller.
                if (await IsTakenAsync(entries[0].Sequence, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                throw;
            }
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<AuditEntry> ReadAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var rows = db.Set<AuditEntryRow>().AsNoTracking().Where(e => e.Sequence >= fromSequence).OrderBy(e => e.Sequence).AsAsyncEnumerable();
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return ToEntry(row);
            }
        }
    }

    private static async Task<long> NextSequenceAsync(TContext db, CancellationToken cancellationToken)
        => (await db.Set<AuditEntryRow>().MaxAsync(e => (long?)e.Sequence, cancellationToken).ConfigureAwait(false) ?? 0) + 1;

    private async Task<bool> IsTakenAsync(long sequence, CancellationToken cancellationToken)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            return await NextSequenceAsync(db, cancellationToken).ConfigureAwait(false) > sequence;
        }
    }

    private static AuditEntryRow ToRow(AuditEntry entry) => new()
    {
        Sequence = entry.Sequence,
        TimestampUtcTicks = entry.Timestamp.UtcTicks,
        Kind = entry.Kind,
        Subject = entry.Subject?.Value,
        Details = JsonSerializer.Serialize(new SortedDictionary<string, string>(entry.Details.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal), StringComparer.Ordinal)),
        PreviousHash = entry.PreviousHash,
        Hash = entry.Hash,
    };

    private static AuditEntry ToEntry(AuditEntryRow row) => new(
        row.Sequence,
        GdprTableConventions.FromUtcTicks(row.TimestampUtcTicks),
        row.Kind,
        row.Subject is null ? null : new SubjectPseudonym(row.Subject),
        JsonSerializer.Deserialize<SortedDictionary<string, string>>(row.Details) ?? [],
        row.PreviousHash,
        row.Hash);
}

/// <summary>One audit entry as stored. Times are UTC ticks so every provider compares and round-trips them exactly.</summary>
internal sealed class AuditEntryRow
{
    public long Sequence { get; set; }

    public long TimestampUtcTicks { get; set; }

    public string Kind { get; set; } = string.Empty;

    public string? Subject { get; set; }

    /// <summary>The details as a JSON object with ordinally sorted names.</summary>
    public string Details { get; set; } = "{}";

    public string PreviousHash { get; set; } = string.Empty;

    public string Hash { get; set; } = string.Empty;
}
