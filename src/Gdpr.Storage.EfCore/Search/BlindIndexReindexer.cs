using System.Linq.Expressions;
using Gdpr.Search;
using Gdpr.Storage.EfCore.DataSources;
using Gdpr.Storage.EfCore.Interceptors;
using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Gdpr.Storage.EfCore;

/// <summary>
/// Moves every blind-index value of a context's tables to the newest epoch, in keyset-ordered batches, so that an
/// older epoch can then be destroyed (docs/search.md, "Root keys and epochs"). Lookups go on meanwhile: they try every
/// live epoch. A row whose index value is already in the newest epoch, or has none, is left as it is, so a run stopped
/// at any point continues where it was.
/// </summary>
/// <typeparam name="TContext">The application's context, set up with <c>UseGdpr</c>.</typeparam>
public sealed class BlindIndexReindexer<TContext>
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contexts;

    internal BlindIndexReindexer(IDbContextFactory<TContext> contexts) => _contexts = contexts;

    /// <summary>Gets or sets how many rows one batch (one save) re-indexes; 500 by default.</summary>
    public int BatchSize
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 500;

    /// <summary>Re-indexes every row whose index values are from an older epoch.</summary>
    /// <param name="cancellationToken">Stops after the batch in flight is saved.</param>
    /// <returns>How many rows were re-indexed.</returns>
    public async Task<long> ReindexAsync(CancellationToken cancellationToken = default)
    {
        IEntityType[] indexed;
        using (var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            var model = PersonalDataModelMap.For(context.Model);
            indexed = [.. context.Model.GetEntityTypes().Where(t => t.BaseType is null && model.Get(t) is { BlindIndexes.Length: > 0 })];
        }

        var done = 0L;
        foreach (var entityType in indexed)
        {
            var entity = (Task<long>)typeof(BlindIndexReindexer<TContext>)
                .GetMethod(nameof(ReindexEntityAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .MakeGenericMethod(entityType.ClrType).Invoke(this, [entityType, cancellationToken])!;
            done += await entity.ConfigureAwait(false);
        }

        return done;
    }

    private async Task<long> ReindexEntityAsync<TEntity>(IEntityType entityType, CancellationToken cancellationToken)
        where TEntity : class
    {
        var done = 0L;
        object?[]? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var ring = DecryptingBindingInterceptor.CryptoFor(context).BlindIndexes
                ?? throw new InvalidOperationException("Blind indexes need the engine's registrations (AddGdpr).");
            var (epoch, hasher) = (await ring.GetAsync(forWriting: true, cancellationToken).ConfigureAwait(false))[0];
            var model = PersonalDataModelMap.For(context.Model);
            var indexes = model.Get(entityType)!.BlindIndexes;
            var keys = entityType.FindPrimaryKey()!.Properties;
            var rows = await KeysetQuery.Page(context.Set<TEntity>().AsTracking().Where(Older<TEntity>(indexes, epoch)), keys, after, BatchSize)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                return done;
            }

            foreach (var row in rows)
            {
                var entry = context.Entry(row);
                var map = model.Get(entry.Metadata)!;
                foreach (var index in map.BlindIndexes)
                {
                    var value = index.HasErasedMember(map, row) ? null : hasher.Compute(index.Definition, [.. index.Members.Select(i => map.Members[i].Get(row) as string)]);
                    entry.CurrentValues[index.Property] = value is { } v ? BlindIndexMap.Stored(epoch, v) : null;
                }
            }

            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            done += rows.Count;
            after = KeysetQuery.KeyOf(context, entityType, rows[^1]);
            if (rows.Count < BatchSize)
            {
                return done;
            }
        }
    }

    /// <summary><c>e =&gt; e.phone$bidx &lt; newest || e.email$bidx &lt; newest || ...</c>: a value from an older epoch (NULL never is).</summary>
    private static Expression<Func<TEntity, bool>> Older<TEntity>(BlindIndexMap[] indexes, int epoch)
    {
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var newest = Expression.Constant(BlindIndexMap.Stored(epoch, 0), typeof(long?));
        Expression? any = null;
        foreach (var index in indexes)
        {
            var older = Expression.LessThan(KeysetQuery.PropertyAccess(entity, index.Property.Name, typeof(long?)), newest);
            any = any is null ? older : Expression.OrElse(any, older);
        }

        return Expression.Lambda<Func<TEntity, bool>>(any!, entity);
    }
}
