using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gdpr.Storage.EfCore.Keys;

/// <summary>
/// The engine-neutral fallback: serializable transactions, and nothing to run for physical removal (the engine's own
/// documentation says what removes deleted rows; the store reports removal as not applicable).
/// </summary>
internal sealed class RelationalKeyStoreDialect : KeyStoreDialect
{
    public static RelationalKeyStoreDialect Instance { get; } = new();

    public override string? ProviderName => null;

    public override string DisplayName => "Other";

    public override async Task<IDbContextTransaction> BeginWriteAsync(DbContext db, IReadOnlyList<(string Pseudonym, string Scope)> pairs, CancellationToken cancellationToken)
        => await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
}
