using Gdpr.Core.Tests.TestSupport;
using System.Runtime.CompilerServices;
using Gdpr.Audit;
using Gdpr.Certificates;
using Gdpr.DataSources;
using Gdpr.Encryption;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Retention;
using Gdpr.Testing;
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
        // The one test host (GdprTestHost) with the erasure additions: the webshop's policies and the CRM source.
        time ??= new FakeTimeProvider(Day0);
        var host = GdprTestHost.Create(
            configure: o => o.PseudonymKey = pseudonymKey ?? GdprTestHost.PseudonymKey,
            services: services,
            time: time,
            gdpr: builder =>
            {
                builder.AddRetentionPolicy(Policies.MarketingPolicy).AddRetentionPolicy(Policies.TaxPolicy);
                configure?.Invoke(builder);
                builder.Services.AddSingleton(sp => new InMemoryPersonalDataSource("crm", sp.GetRequiredService<IFieldEncryptor>()));
                builder.Services.AddSingleton<IPersonalDataSource>(sp =>
                {
                    var crm = sp.GetRequiredService<InMemoryPersonalDataSource>();
                    return wrapCrm is null ? crm : wrapCrm(sp, crm);
                });
            });
        return new ErasureTestHost(host.Services, time);
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
