using Gdpr.Core.Tests.Erasure;
using Gdpr.DataSources;
using Gdpr.Keys;
using Gdpr.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Core.Tests.Contracts;

/// <summary>Gdpr.Testing's in-memory source runs the data-source contract a consumer's own source runs.</summary>
public sealed class InMemoryPersonalDataSourceContractTests : PersonalDataSourceContractTests, IAsyncLifetime
{
    private readonly ErasureTestHost _host = ErasureTestHost.Create();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    protected override IPersonalDataSource CreateSource() => _host.Crm;

    protected override async Task<IReadOnlyList<SeededPersonalValue>> SeedAsync(string subjectId)
    {
        // The customer of the issue: a default-scope e-mail, a marketing profile (indexed, its rows deleted on
        // erasure), an invoice name kept for tax, and a nickname that is replaced.
        await _host.SeedCustomerAsync(subjectId);
        return
        [
            new("Customer", "Email", PersonalDataAttribute.DefaultRetentionPolicy, $"{subjectId}@example.org"),
            new("Customer", "Profile", Policies.Marketing, $"likes-cycling-{subjectId}"),
            new("Invoice", "BillingName", Policies.Tax, $"Name of {subjectId}"),
            new("Customer", "Nickname", PersonalDataAttribute.DefaultRetentionPolicy, $"nick-{subjectId}"),
        ];
    }

    protected override async Task DestroyKeyAsync(string subjectId, string scope)
        => await _host.Services.GetRequiredService<ISubjectKeyManager>().ShredAsync(subjectId, scope);
}
