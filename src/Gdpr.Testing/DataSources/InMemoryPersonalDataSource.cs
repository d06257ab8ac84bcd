using System.Globalization;
using System.Runtime.CompilerServices;
using Gdpr.Classification;
using Gdpr.DataSources;
using Gdpr.Encryption;
using Microsoft.Extensions.Options;

namespace Gdpr.Testing;

/// <summary>
/// A real <see cref="IPersonalDataSource"/> in memory, to test code around export and erasure without a database:
/// values are encrypted under their subject's scope key with the application's <see cref="IFieldEncryptor"/> (so a
/// destroyed key makes them unreadable, as in a real store), a plaintext search index stands for the derived values
/// an erasure must remove, and rows are deleted or values replaced as the retention policies and erasure actions say.
/// </summary>
/// <remarks>Thread-safe. Passes <see cref="PersonalDataSourceContractTests"/>.</remarks>
public sealed class InMemoryPersonalDataSource : IPersonalDataSource
{
    private readonly Lock _lock = new();
    private readonly List<Row> _rows = [];
    private readonly List<(string SubjectId, string Scope, string Token)> _searchIndex = [];
    private readonly IFieldEncryptor _encryptor;
    private int _eraseCalls;

    /// <summary>Initializes a new instance of the <see cref="InMemoryPersonalDataSource"/> class.</summary>
    /// <param name="name">The source's name, as exports and erasure results show it.</param>
    /// <param name="encryptor">The application's field encryptor.</param>
    public InMemoryPersonalDataSource(string name, IFieldEncryptor encryptor)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(encryptor);
        Name = name;
        _encryptor = encryptor;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Gets how many times <see cref="EraseAsync"/> has been called.</summary>
    public int EraseCalls => Volatile.Read(ref _eraseCalls);

    /// <summary>Gets the number of rows held, of every subject.</summary>
    public int RowCount
    {
        get
        {
            lock (_lock)
            {
                return _rows.Count;
            }
        }
    }

    /// <summary>Stores one personal value of a subject, encrypted under the subject's key of <paramref name="scope"/>.</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="entity">The entity (table, document type) the value belongs to.</param>
    /// <param name="member">The member (column, field) that holds it.</param>
    /// <param name="scope">The retention policy (key scope) of the value.</param>
    /// <param name="value">The value.</param>
    /// <param name="action">What an erasure of the scope does to the value.</param>
    /// <param name="replacement">The replacement shown once a <see cref="ErasureAction.Replace"/> value is erased.</param>
    /// <param name="indexed">Whether the value also goes into the plaintext search index (a derived value).</param>
    /// <param name="category">The personal-data category the export shows.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    public async Task AddAsync(
        string subjectId,
        string entity,
        string member,
        string scope,
        string value,
        ErasureAction action = ErasureAction.DestroyKey,
        string? replacement = null,
        bool indexed = false,
        string category = PersonalDataCategories.Email,
        CancellationToken cancellationToken = default)
    {
        var envelope = await _encryptor.EncryptValueAsync(new FieldAddress(subjectId, scope, $"{entity}.{member}"), value, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _rows.Add(new Row(subjectId, entity, Guid.NewGuid().ToString("N"), member, scope, category, envelope, action, replacement));
            if (indexed)
            {
                _searchIndex.Add((subjectId, scope, value));
            }
        }
    }

    /// <summary>Stores <paramref name="count"/> rows of one value with one envelope (for volume: the row count, not the crypto, varies).</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="entity">The entity.</param>
    /// <param name="member">The member.</param>
    /// <param name="scope">The retention policy (key scope).</param>
    /// <param name="value">The value.</param>
    /// <param name="count">The number of rows.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the rows are stored.</returns>
    public async Task AddManyAsync(string subjectId, string entity, string member, string scope, string value, int count, CancellationToken cancellationToken = default)
    {
        var envelope = await _encryptor.EncryptValueAsync(new FieldAddress(subjectId, scope, $"{entity}.{member}"), value, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                _rows.Add(new Row(subjectId, entity, i.ToString(CultureInfo.InvariantCulture), member, scope, PersonalDataCategories.Email, envelope, ErasureAction.DestroyKey, null));
            }
        }
    }

    /// <summary>Gets the search-index tokens held for a subject (plaintext: an erasure of their scope removes them).</summary>
    /// <param name="subjectId">The subject id.</param>
    /// <returns>The tokens.</returns>
    public IReadOnlyList<string> SearchIndexTokens(string subjectId)
    {
        lock (_lock)
        {
            return [.. _searchIndex.Where(e => e.SubjectId == subjectId).Select(e => e.Token)];
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Row[] rows;
        lock (_lock)
        {
            rows = [.. _rows.Where(r => r.SubjectId == subjectId)];
        }

        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var field = new FieldAddress(subjectId, row.Scope, $"{row.Entity}.{row.Member}");
            var value = row.Envelope is null ? FieldValue<string>.Erased : await _encryptor.DecryptValueAsync<string>(field, row.Envelope, cancellationToken).ConfigureAwait(false);
            yield return new PersonalDataItem
            {
                Source = Name,
                Entity = row.Entity,
                RecordKey = row.RecordKey,
                Member = row.Member,
                Category = row.Category,
                RetentionPolicy = row.Scope,
                IsErased = value.IsErased,
                Value = value.IsErased ? row.Replacement : value.Value,
            };
        }
    }

    /// <inheritdoc/>
    public ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        int found, deleted, replaced = 0;
        HashSet<string> scopes;
        lock (_lock)
        {
            _eraseCalls++;
            var rows = _rows.Where(r => r.SubjectId == subjectId).ToList();
            found = rows.Count;
            scopes = rows.Where(r => r.Envelope is not null).Select(r => r.Scope).ToHashSet(StringComparer.Ordinal); // replaced values hold none
            deleted = _rows.RemoveAll(r => r.SubjectId == subjectId && request.DestroyedScopes.Contains(r.Scope) && request.RowDeletingScopes.Contains(r.Scope));
            for (var i = 0; i < _rows.Count; i++)
            {
                var row = _rows[i];
                if (row.SubjectId == subjectId && row.Action == ErasureAction.Replace && request.DestroyedScopes.Contains(row.Scope) && row.Envelope is not null)
                {
                    _rows[i] = row with { Envelope = null };
                    replaced++;
                }
            }

            _searchIndex.RemoveAll(e => e.SubjectId == subjectId && request.DestroyedScopes.Contains(e.Scope));
        }

        return ValueTask.FromResult(new DataSourceErasureResult(Name, found, scopes, deleted, replaced));
    }

    private sealed record Row(string SubjectId, string Entity, string RecordKey, string Member, string Scope, string Category, byte[]? Envelope, ErasureAction Action, string? Replacement);
}
