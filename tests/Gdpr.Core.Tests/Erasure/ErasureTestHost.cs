using Gdpr.Core.Tests.TestSupport;
using System.Runtime.CompilerServices;
using Gdpr.Audit;
using Gdpr.Certificates;
using Gdpr.DataSources;
using Gdpr.Encryption;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Core.Tests.Erasure;

/// <summary>The policies of the webshop: marketing goes at once, invoices stay seven years after the relationship ends.</summary>
internal static class Policies
{
    public const string Marketing = "marketing";
    public const string Tax = "tax";
    public const string TaxBasis = "Dutch AWR art. 52 (7-year fiscal retention)";

    public static RetentionPolicy MarketingPolicy { get; } = new()
    {
        Name = Marketing,
        Years = 2,
        Clock = RetentionClock.Collection,
        LegalBasis = "Consent for marketing profiles",
        DeleteRowsOnErasure = true,
    };

    public static RetentionPolicy TaxPolicy { get; } = new()
    {
        Name = Tax,
        Years = 7,
        Clock = RetentionClock.RelationshipEnd,
        IsLegalObligation = true,
        LegalBasis = TaxBasis,
    };
}

/// <summary>A service provider with the Gdpr engine, a fake clock, captured logs and one or more in-memory data sources.</summary>
internal sealed class ErasureTestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Day0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private ErasureTestHost(ServiceProvider services, FakeTimeProvider time)
    {
        Services = services;
        Time = time;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public InMemoryPersonalDataSource Crm => Services.GetRequiredService<InMemoryPersonalDataSource>();

    public IErasureService Erasure => Services.GetRequiredService<IErasureService>();

    public IRetentionSweeper Sweeper => Services.GetRequiredService<IRetentionSweeper>();

    public IRetentionScheduler Scheduler => Services.GetRequiredService<IRetentionScheduler>();

    public ILegalHoldService Holds => Services.GetRequiredService<ILegalHoldService>();

    public IAuditTrail Audit => Services.GetRequiredService<IAuditTrail>();

    public IErasureCertificateIssuer Certificates => Services.GetRequiredService<IErasureCertificateIssuer>();

    public FakeLogCollector Logs => Services.GetRequiredService<FakeLogCollector>();

    public static ErasureTestHost Create(
        Action<IGdprBuilder>? configure = null,
        Func<IServiceProvider, IPersonalDataSource, IPersonalDataSource>? wrapCrm = null,
        Action<IServiceCollection>? services = null,
        byte[]? pseudonymKey = null,
        FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider(Day0);
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(time);
        collection.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Debug));
        services?.Invoke(collection);
        var builder = collection.AddGdpr(o => o.PseudonymKey = pseudonymKey ?? Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()).UseInMemoryStores();
        builder.AddRetentionPolicy(Policies.MarketingPolicy).AddRetentionPolicy(Policies.TaxPolicy);
        configure?.Invoke(builder);
        collection.AddSingleton(sp => new InMemoryPersonalDataSource("crm", sp.GetRequiredService<IFieldEncryptor>(), sp.GetRequiredService<IOptions<GdprOptions>>()));
        collection.AddSingleton<IPersonalDataSource>(sp =>
        {
            var crm = sp.GetRequiredService<InMemoryPersonalDataSource>();
            return wrapCrm is null ? crm : wrapCrm(sp, crm);
        });
        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _ = provider.GetRequiredService<IOptions<GdprOptions>>().Value;
        return new ErasureTestHost(provider, time);
    }

    /// <summary>Writes the customer of the issue: an e-mail (default scope), a marketing profile and an invoice (tax).</summary>
    public async Task SeedCustomerAsync(string subjectId)
    {
        var crm = Services.GetRequiredService<InMemoryPersonalDataSource>();
        await crm.AddAsync(subjectId, "Customer", "Email", PersonalDataAttribute.DefaultRetentionPolicy, $"{subjectId}@example.org");
        await crm.AddAsync(subjectId, "Customer", "Profile", Policies.Marketing, $"likes-cycling-{subjectId}", indexed: true);
        await crm.AddAsync(subjectId, "Invoice", "BillingName", Policies.Tax, $"Name of {subjectId}");
        await crm.AddAsync(subjectId, "Customer", "Nickname", PersonalDataAttribute.DefaultRetentionPolicy, $"nick-{subjectId}", ErasureAction.Replace, replacement: "[erased]");
    }

    public async Task<IReadOnlyList<PersonalDataItem>> ReadableAsync(string subjectId)
    {
        var crm = Services.GetRequiredService<InMemoryPersonalDataSource>();
        var items = new List<PersonalDataItem>();
        await foreach (var item in crm.ExportAsync(subjectId))
        {
            if (!item.IsErased && item.Value is not null && !Equals(item.Value, "[erased]"))
            {
                items.Add(item);
            }
        }

        return items;
    }

    public async Task<bool> IsReadableAsync(string subjectId, string scope)
        => (await ReadableAsync(subjectId)).Any(i => i.RetentionPolicy == scope);

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}

/// <summary>
/// A real <see cref="IPersonalDataSource"/> in memory: values encrypted under their subject's scope key, a plaintext
/// search index as the derived value the erasure must remove, row deletion and replacement as the policies say.
/// </summary>
internal sealed class InMemoryPersonalDataSource(string name, IFieldEncryptor encryptor, IOptions<GdprOptions> options) : IPersonalDataSource
{
    private readonly Lock _lock = new();
    private readonly List<Row> _rows = [];
    private readonly List<(string SubjectId, string Scope, string Token)> _searchIndex = [];

    public string Name { get; } = name;

    public int EraseCalls { get; private set; }

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

    public async Task AddAsync(string subjectId, string entity, string member, string scope, string value, ErasureAction action = ErasureAction.DestroyKey, string? replacement = null, bool indexed = false)
    {
        var envelope = await encryptor.EncryptValueAsync(new FieldAddress(subjectId, scope, $"{entity}.{member}"), value);
        lock (_lock)
        {
            _rows.Add(new Row(subjectId, entity, Guid.NewGuid().ToString("N"), member, scope, envelope, action, replacement));
            if (indexed)
            {
                _searchIndex.Add((subjectId, scope, value));
            }
        }
    }

    /// <summary>Adds rows in bulk with one envelope (benchmarks: the row count, not the crypto, is what varies).</summary>
    public async Task AddManyAsync(string subjectId, string entity, string member, string scope, string value, int count)
    {
        var envelope = await encryptor.EncryptValueAsync(new FieldAddress(subjectId, scope, $"{entity}.{member}"), value);
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                _rows.Add(new Row(subjectId, entity, i.ToString(System.Globalization.CultureInfo.InvariantCulture), member, scope, envelope, ErasureAction.DestroyKey, null));
            }
        }
    }

    public IReadOnlyList<string> SearchIndexTokens(string subjectId)
    {
        lock (_lock)
        {
            return [.. _searchIndex.Where(e => e.SubjectId == subjectId).Select(e => e.Token)];
        }
    }

    public async IAsyncEnumerable<PersonalDataItem> ExportAsync(string subjectId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Row[] rows;
        lock (_lock)
        {
            rows = [.. _rows.Where(r => r.SubjectId == subjectId)];
        }

        foreach (var row in rows)
        {
            var field = new FieldAddress(subjectId, row.Scope, $"{row.Entity}.{row.Member}");
            var value = row.Envelope is null ? FieldValue<string>.Erased : await encryptor.DecryptValueAsync<string>(field, row.Envelope, cancellationToken);
            yield return new PersonalDataItem
            {
                Source = Name,
                Entity = row.Entity,
                RecordKey = row.RecordKey,
                Member = row.Member,
                Category = "contact.email",
                RetentionPolicy = row.Scope,
                IsErased = value.IsErased,
                Value = value.IsErased ? row.Replacement : value.Value,
            };
        }
    }

    public ValueTask<DataSourceErasureResult> EraseAsync(string subjectId, DataSourceErasureRequest request, CancellationToken cancellationToken = default)
    {
        var deleteScopes = options.Value.RetentionPolicies.Where(p => p.DeleteRowsOnErasure).Select(p => p.Name).ToHashSet();
        int found, deleted, replaced = 0;
        HashSet<string> scopes;
        lock (_lock)
        {
            EraseCalls++;
            var rows = _rows.Where(r => r.SubjectId == subjectId).ToList();
            found = rows.Count;
            scopes = rows.Where(r => r.Envelope is not null).Select(r => r.Scope).ToHashSet(StringComparer.Ordinal); // replaced values hold none
            deleted = _rows.RemoveAll(r => r.SubjectId == subjectId && request.DestroyedScopes.Contains(r.Scope) && deleteScopes.Contains(r.Scope));
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

    private sealed record Row(string SubjectId, string Entity, string RecordKey, string Member, string Scope, byte[]? Envelope, ErasureAction Action, string? Replacement);
}
