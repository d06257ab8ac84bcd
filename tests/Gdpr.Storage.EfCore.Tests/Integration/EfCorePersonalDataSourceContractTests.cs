using Gdpr.DataSources;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Tests.Keys;
using Gdpr.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Integration;

// The EF Core data source (AddEfCoreDataSource over the contact-center model) runs the same data-source contract
// (Gdpr.Testing) a consumer's own source runs: on a SQLite file, and on PostgreSQL.

/// <summary>The contact center on one database: seeds a customer in four scopes, destroys keys like the erasure.</summary>
internal sealed class ContactCenterSource(Action<DbContextOptionsBuilder> database, string keyRingDirectory) : IDisposable
{
    private readonly ServiceProvider _services = Create(database, keyRingDirectory);

    public IPersonalDataSource Source => _services.GetServices<IPersonalDataSource>().Single();

    public async Task<IReadOnlyList<SeededPersonalValue>> SeedAsync(string subjectId)
    {
        // Marketing (one value replaced on erasure), tax (kept), chat (rows deleted on erasure), default (bytes).
        byte[] audio = [.. System.Text.Encoding.UTF8.GetBytes(subjectId)];
        await _services.WithContextAsync(async db =>
        {
            db.Shoppers.Add(new Shopper { CustomerNumber = subjectId, NewsletterEmail = $"{subjectId}@example.org", Interests = $"cycling-{subjectId}", InvoiceName = $"Name of {subjectId}", InvoiceAddress = $"Keizersgracht 1, {subjectId}" });
            db.ChatMessages.Add(new ChatMessage { ConversationId = Guid.NewGuid(), SenderId = subjectId, Text = $"hello from {subjectId}" });
            db.CallRecordings.Add(new CallRecording { CustomerNumber = subjectId, Audio = audio });
            await db.SaveChangesAsync();
        });
        return
        [
            new(nameof(Shopper), nameof(Shopper.NewsletterEmail), "marketing", $"{subjectId}@example.org"),
            new(nameof(Shopper), nameof(Shopper.Interests), "marketing", $"cycling-{subjectId}"),
            new(nameof(Shopper), nameof(Shopper.InvoiceName), "tax", $"Name of {subjectId}"),
            new(nameof(Shopper), nameof(Shopper.InvoiceAddress), "tax", $"Keizersgracht 1, {subjectId}"),
            new(nameof(ChatMessage), nameof(ChatMessage.Text), "chat", $"hello from {subjectId}"),
            new(nameof(CallRecording), nameof(CallRecording.Audio), PersonalDataAttribute.DefaultRetentionPolicy, audio),
        ];
    }

    public async Task DestroyKeyAsync(string subjectId, string scope)
        => await _services.GetRequiredService<ISubjectKeyManager>().ShredAsync(subjectId, scope);

    public void Dispose() => _services.Dispose();

    private static ServiceProvider Create(Action<DbContextOptionsBuilder> database, string keyRingDirectory)
    {
        var services = ContactCenterHost.Build(database, keyRingDirectory, new FakeTimeProvider(ContactCenterHost.Day0));
        ContactCenterHost.CreateTablesAsync(services).GetAwaiter().GetResult();
        return services;
    }
}

public sealed class SqlitePersonalDataSourceContractTests : PersonalDataSourceContractTests, IDisposable
{
    private readonly SqliteContactCenterDatabase _database = new();
    private ContactCenterSource? _source;

    public void Dispose()
    {
        _source?.Dispose();
        _database.Dispose();
    }

    protected override IPersonalDataSource CreateSource() => Contact.Source;

    protected override Task<IReadOnlyList<SeededPersonalValue>> SeedAsync(string subjectId) => Contact.SeedAsync(subjectId);

    protected override Task DestroyKeyAsync(string subjectId, string scope) => Contact.DestroyKeyAsync(subjectId, scope);

    private ContactCenterSource Contact => _source ??= new ContactCenterSource(_database.Configure, _database.KeyRingDirectory);
}

public sealed class PostgresPersonalDataSourceContractTests(PostgresKeyStoreDatabase server) : PersonalDataSourceContractTests, IClassFixture<PostgresKeyStoreDatabase>, IDisposable
{
    private ContactCenterSource? _source;

    public void Dispose() => _source?.Dispose();

    protected override IPersonalDataSource CreateSource() => Contact.Source;

    protected override Task<IReadOnlyList<SeededPersonalValue>> SeedAsync(string subjectId) => Contact.SeedAsync(subjectId);

    protected override Task DestroyKeyAsync(string subjectId, string scope) => Contact.DestroyKeyAsync(subjectId, scope);

    // A database of its own per test (skips, or fails with GDPR_REQUIRE_POSTGRES=1, without PostgreSQL).
    private ContactCenterSource Contact
    {
        get
        {
            if (_source is null)
            {
                var connectionString = server.CreateEmptyDatabaseAsync().GetAwaiter().GetResult();
                _source = new ContactCenterSource(o => o.UseNpgsql(connectionString), server.KeyRingDirectory);
            }

            return _source;
        }
    }
}
