using Gdpr.Encryption.Infrastructure;
using System.Data.Common;
using Gdpr.Encryption;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Tests.Keys;
using Gdpr.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Integration;

/// <summary>
/// "Erasure is final" (GDPR Art. 17(1)): an agent's screen holds a tracked context with a shopper, her chat message
/// and her call recording loaded; she is erased in another context (certificate issued); the screen then saves.
/// The values it holds are copies of erased data: the save is refused (<see cref="StalePersonalDataException"/>),
/// nothing is written, no key is created, and every erased value stays unreadable. Data that is genuinely new after
/// the erasure (a new entity, a value assigned after reading again) is still stored, under the scope's next key.
/// </summary>
public abstract class StaleSaveTests
{
    protected const string Email = "anna@example.org";
    protected const string Interests = "cycling, jazz";
    protected const string Chat = "my card number ends in 1234";

    /// <summary>A fresh, empty database and the key ring directory beside it.</summary>
    protected abstract Task<TestStore> NewStoreAsync();

    public enum Change
    {
        /// <summary>SaveChanges with no change at all.</summary>
        None,

        /// <summary>One member of the erased scope changed: the others must not come back with it.</summary>
        ErasedScopeMember,

        /// <summary>One member of the retained tax scope changed: the erased scope's values must not come back with it.</summary>
        RetainedScopeMember,

        /// <summary>The subject id changed: the erased values must not move to another subject either.</summary>
        SubjectId,
    }

    [SkippableTheory]
    [InlineData(Change.None)]
    [InlineData(Change.ErasedScopeMember)]
    [InlineData(Change.RetainedScopeMember)]
    [InlineData(Change.SubjectId)]
    public async Task TrackedContext_SavedAfterTheSubjectsErasure_IsRefused_AndEveryErasedValueStaysUnreadable_Art17(Change change)
    {
        await using var store = await NewStoreAsync();
        var time = new FakeTimeProvider(ContactCenterHost.Day0);
        await using var services = ContactCenterHost.Build(store.Configure, store.KeyRingDirectory, time);
        var subject = await CreateTablesAndSeedAsync(services);

        // The agent's screen: one context, tracking, loaded before the erasure.
        await using var screenScope = services.CreateAsyncScope();
        var screen = screenScope.ServiceProvider.GetRequiredService<ContactCenterContext>();
        var shopper = await screen.Shoppers.SingleAsync(s => s.CustomerNumber == subject);
        var messages = await screen.ChatMessages.Where(m => m.SenderId == subject).ToListAsync();
        _ = await screen.CallRecordings.SingleAsync(r => r.CustomerNumber == subject);
        Assert.Equal((Email, Interests, Chat), (shopper.NewsletterEmail, shopper.Interests, Assert.Single(messages).Text));

        var erasure = await services.GetRequiredService<IErasureService>().EraseAsync(subject);
        Assert.True(erasure.IsComplete);
        Assert.NotNull(erasure.Certificate);
        await AssertErasedAsync(services, subject);
        var pseudonym = services.GetRequiredService<ISubjectKeyManager>().GetPseudonym(subject).Value;
        var keyRowsBefore = await CountAsync(services, "SELECT count(*) FROM gdpr_subject_keys");
        var shopperColumnBefore = await ShopperColumnAsync(services, subject);

        switch (change)
        {
            case Change.ErasedScopeMember:
                shopper.Interests = "cycling, jazz, opera";
                break;
            case Change.RetainedScopeMember:
                shopper.InvoiceAddress = "Prinsengracht 1, Amsterdam";
                break;
            case Change.SubjectId:
                shopper.CustomerNumber = TestHosts.NewSubjectId();
                break;
        }

        var refused = await Assert.ThrowsAsync<StalePersonalDataException>(() => screen.SaveChangesAsync());

        // Named by entity, scope and pseudonym; never the subject id or a value.
        Assert.Contains(refused.Entity, new[] { nameof(Shopper), nameof(ChatMessage), nameof(CallRecording) });
        Assert.Contains(refused.Scope, new[] { "marketing", "chat", "default" });
        Assert.Equal(pseudonym, refused.SubjectPseudonym);
        Assert.Contains(pseudonym, refused.Message, StringComparison.Ordinal);
        foreach (var secret in new[] { subject, Email, Interests, Chat })
        {
            Assert.DoesNotContain(secret, refused.Message, StringComparison.Ordinal);
        }

        // Nothing written: no key row, the shopper's column byte for byte as the erasure left it, every value erased.
        Assert.Equal(keyRowsBefore, await CountAsync(services, "SELECT count(*) FROM gdpr_subject_keys"));
        Assert.Equal(shopperColumnBefore, await ShopperColumnAsync(services, subject));
        await AssertErasedAsync(services, subject);

        // After a restart (a cold key cache), too.
        await using var restarted = ContactCenterHost.Build(store.Configure, store.KeyRingDirectory, time);
        await AssertErasedAsync(restarted, subject);
    }

    [SkippableFact]
    public async Task Reload_AfterTheErasure_DoesNotMakeTheValuesInMemoryNew_TheSaveIsStillRefused_Art17()
    {
        // Reload refreshes mapped columns (so the entry now holds the erasure's marker) but not the encrypted
        // members, which still hold what was read before: saving them would be a write of erased data under a new key.
        await using var store = await NewStoreAsync();
        var time = new FakeTimeProvider(ContactCenterHost.Day0);
        await using var services = ContactCenterHost.Build(store.Configure, store.KeyRingDirectory, time);
        var subject = await CreateTablesAndSeedAsync(services);

        await using var screenScope = services.CreateAsyncScope();
        var screen = screenScope.ServiceProvider.GetRequiredService<ContactCenterContext>();
        var shopper = await screen.Shoppers.SingleAsync(s => s.CustomerNumber == subject);
        Assert.True((await services.GetRequiredService<IErasureService>().EraseAsync(subject)).IsComplete);
        await screen.Entry(shopper).ReloadAsync();

        var refused = await Assert.ThrowsAsync<StalePersonalDataException>(() => screen.SaveChangesAsync());
        Assert.Equal((nameof(Shopper), "marketing"), (refused.Entity, refused.Scope));
        await AssertErasedAsync(services, subject);
    }

    [SkippableFact]
    public async Task AfterErasure_NewEntityAndValuesAssignedAfterReadingAgain_AreStoredUnderTheNextKey_AndReadable()
    {
        await using var store = await NewStoreAsync();
        var time = new FakeTimeProvider(ContactCenterHost.Day0);
        await using var services = ContactCenterHost.Build(store.Configure, store.KeyRingDirectory, time);
        var subject = await CreateTablesAndSeedAsync(services);
        Assert.True((await services.GetRequiredService<IErasureService>().EraseAsync(subject)).IsComplete);

        // Read again after the erasure: a save with no change writes nothing and is not refused.
        var columnBefore = await ShopperColumnAsync(services, subject);
        await services.WithContextAsync(async db =>
        {
            _ = await db.Shoppers.SingleAsync(s => s.CustomerNumber == subject);
            _ = await db.CallRecordings.SingleAsync(r => r.CustomerNumber == subject);
            Assert.Equal(0, await db.SaveChangesAsync());
        });
        Assert.Equal(columnBefore, await ShopperColumnAsync(services, subject));

        // Values assigned after reading again, in a record replaced by the erasure (marketing) and in one whose
        // envelope is still under the destroyed key (the recording's default scope); and a new chat message.
        await services.WithContextAsync(async db =>
        {
            var shopper = await db.Shoppers.SingleAsync(s => s.CustomerNumber == subject);
            Assert.Equal("[erased]", shopper.Interests);
            shopper.NewsletterEmail = "anna.new@example.org";
            var recording = await db.CallRecordings.SingleAsync(r => r.CustomerNumber == subject);
            Assert.Null(recording.Audio);
            recording.Audio = [9, 8, 7];
            db.ChatMessages.Add(new ChatMessage { ConversationId = Guid.NewGuid(), SenderId = subject, Text = "hello again" });
            await db.SaveChangesAsync();
        });

        await services.WithContextAsync(async db =>
        {
            var shopper = await db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == subject);
            Assert.Equal("anna.new@example.org", shopper.NewsletterEmail);
            Assert.NotEqual(Interests, shopper.Interests); // the erased value does not come back with the new one
            Assert.Equal(new byte[] { 9, 8, 7 }, (await db.CallRecordings.AsNoTracking().SingleAsync(r => r.CustomerNumber == subject)).Audio);
            Assert.Equal("hello again", (await db.ChatMessages.AsNoTracking().SingleAsync(m => m.SenderId == subject)).Text);
        });

        // Under the next key version of each erased scope (version 1 was destroyed).
        var pseudonym = services.GetRequiredService<ISubjectKeyManager>().GetPseudonym(subject).Value;
        foreach (var scope in new[] { "marketing", "default", "chat" })
        {
            Assert.Equal(2L, await CountAsync(services, "SELECT max(version) FROM gdpr_subject_keys WHERE pseudonym = @p AND scope = @s", pseudonym, scope));
        }

        // And a screen that read the new values may save them again: only values read before an erasure are stale.
        await services.WithContextAsync(async db =>
        {
            var shopper = await db.Shoppers.SingleAsync(s => s.CustomerNumber == subject);
            shopper.InvoiceName = "Anna de Vries-Jansen";
            await db.SaveChangesAsync();
        });
        Assert.Equal("anna.new@example.org", (await services.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == subject))).NewsletterEmail);
    }

    [SkippableFact]
    public async Task ValueAssignedAfterReadAsErased_ThenErasedAgain_IsStaleToo()
    {
        // Read-as-erased state is per key version: once the new value's key is destroyed as well, the screen's copy is stale.
        await using var store = await NewStoreAsync();
        var time = new FakeTimeProvider(ContactCenterHost.Day0);
        await using var services = ContactCenterHost.Build(store.Configure, store.KeyRingDirectory, time);
        var subject = await CreateTablesAndSeedAsync(services);
        Assert.True((await services.GetRequiredService<IErasureService>().EraseAsync(subject)).IsComplete);

        await using var screenScope = services.CreateAsyncScope();
        var screen = screenScope.ServiceProvider.GetRequiredService<ContactCenterContext>();
        var recording = await screen.CallRecordings.SingleAsync(r => r.CustomerNumber == subject);
        recording.Audio = [4, 5, 6];
        await screen.SaveChangesAsync();

        Assert.True((await services.GetRequiredService<IErasureService>().EraseAsync(subject)).IsComplete);
        await Assert.ThrowsAsync<StalePersonalDataException>(() => screen.SaveChangesAsync());
        Assert.Null((await services.WithContextAsync(db => db.CallRecordings.AsNoTracking().SingleAsync(r => r.CustomerNumber == subject))).Audio);
    }

    // Art. 5(1)(d): personal data is stored exactly or refused. A lone surrogate has no UTF-8 form; the EF path
    // used to write U+FFFD in its place.
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LoneSurrogate_ThroughADbContext_IsATypedError_NoRowAndNoKeyRowWritten_Art5_1_d(bool update)
    {
        await using var store = await NewStoreAsync();
        var time = new FakeTimeProvider(ContactCenterHost.Day0);
        await using var services = ContactCenterHost.Build(store.Configure, store.KeyRingDirectory, time);
        await ContactCenterHost.CreateTablesAsync(services);
        var subject = TestHosts.NewSubjectId();
        var text = "chat line " + '\uD800'; // built here: a serialized theory argument would already be altered
        Assert.True(char.IsSurrogate(text[^1]));
        if (update)
        {
            await SeedAsync(services, subject);
        }

        var keyRows = await CountAsync(services, "SELECT count(*) FROM gdpr_subject_keys");
        var messages = await CountAsync(services, "SELECT count(*) FROM \"ChatMessages\"");
        var columnBefore = update ? await ShopperColumnAsync(services, subject) : null;

        var refused = await services.WithContextAsync(async db =>
        {
            if (update)
            {
                (await db.Shoppers.SingleAsync(s => s.CustomerNumber == subject)).Interests = text;
            }
            else
            {
                // A new subject in several scopes: its keys would be created first if text were checked late.
                db.Shoppers.Add(new Shopper { CustomerNumber = subject, NewsletterEmail = Email, InvoiceName = "Anna", Interests = text });
            }

            db.ChatMessages.Add(new ChatMessage { ConversationId = Guid.NewGuid(), SenderId = subject, Text = text });
            return await Assert.ThrowsAsync<PersonalDataModelException>(() => db.SaveChangesAsync());
        });

        // Named by entity and member (whichever of the two the save met first).
        Assert.Contains((refused.Entity, refused.Member), new[] { (nameof(Shopper), (string?)nameof(Shopper.Interests)), (nameof(ChatMessage), nameof(ChatMessage.Text)) });
        Assert.DoesNotContain("chat line", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(subject, refused.Message, StringComparison.Ordinal);

        Assert.Equal(keyRows, await CountAsync(services, "SELECT count(*) FROM gdpr_subject_keys"));
        Assert.Equal(messages, await CountAsync(services, "SELECT count(*) FROM \"ChatMessages\""));
        if (update)
        {
            Assert.Equal(columnBefore, await ShopperColumnAsync(services, subject));
            Assert.Equal(Interests, (await services.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == subject))).Interests);
        }
        else
        {
            Assert.Equal(0L, await CountAsync(services, "SELECT count(*) FROM \"Shoppers\" WHERE \"CustomerNumber\" = @p", subject));
        }

        // The same string through the engine's own API is refused by the same rule.
        Assert.False(PersonalDataValueCodec.IsValidText(text));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await services.GetRequiredService<IFieldEncryptor>().EncryptValueAsync(new FieldAddress(subject, "default", "Chat"), text));
    }

    /// <summary>Creates the tables and seeds one new subject (<see cref="SeedAsync"/>); returns its id.</summary>
    protected static async Task<string> CreateTablesAndSeedAsync(IServiceProvider services)
    {
        await ContactCenterHost.CreateTablesAsync(services);
        var subject = TestHosts.NewSubjectId();
        await SeedAsync(services, subject);
        return subject;
    }

    protected static async Task SeedAsync(IServiceProvider services, string subject)
    {
        await services.WithContextAsync(async db =>
        {
            db.Shoppers.Add(new Shopper
            {
                CustomerNumber = subject,
                NewsletterEmail = Email,
                Interests = Interests,
                InvoiceName = "Anna de Vries",
                InvoiceAddress = "Keizersgracht 1, Amsterdam",
            });
            db.ChatMessages.Add(new ChatMessage { ConversationId = Guid.NewGuid(), SenderId = subject, Text = Chat });
            db.CallRecordings.Add(new CallRecording { CustomerNumber = subject, Audio = [1, 2, 3] });
            await db.SaveChangesAsync();
        });
    }

    /// <summary>What a fresh reader sees of an erased shopper: the marketing and default scopes erased, the tax scope kept (Art. 17(3)(b)).</summary>
    protected static async Task AssertErasedAsync(IServiceProvider services, string subject)
    {
        await services.WithContextAsync(async db =>
        {
            var shopper = await db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == subject);
            Assert.Null(shopper.NewsletterEmail);
            Assert.Equal("[erased]", shopper.Interests);
            Assert.Equal("Anna de Vries", shopper.InvoiceName);
            Assert.Empty(await db.ChatMessages.AsNoTracking().Where(m => m.SenderId == subject).ToListAsync());
            Assert.Null((await db.CallRecordings.AsNoTracking().SingleAsync(r => r.CustomerNumber == subject)).Audio);
        });

        // No scope the erasure destroyed has a live key again (a write under a new key would have created one).
        var pseudonym = services.GetRequiredService<ISubjectKeyManager>().GetPseudonym(subject).Value;
        Assert.Equal(1L, await CountAsync(services, "SELECT count(*) FROM gdpr_subject_keys WHERE pseudonym = @p", pseudonym));
    }

    protected static Task<byte[]?> ShopperColumnAsync(IServiceProvider services, string subject)
        => services.WithContextAsync(db => db.Shoppers.AsNoTracking().Where(s => s.CustomerNumber == subject).Select(s => EF.Property<byte[]?>(s, GdprEfCore.PersonalDataColumn)).SingleAsync());

    /// <summary>A scalar count over the database, read raw; parameters are @p and @s.</summary>
    protected static Task<long> CountAsync(IServiceProvider services, string sql, string? p = null, string? s = null)
        => services.WithContextAsync(async db =>
        {
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                foreach (var (name, value) in new[] { ("@p", p), ("@s", s) })
                {
                    if (value is not null)
                    {
                        var parameter = command.CreateParameter();
                        parameter.ParameterName = name;
                        parameter.Value = value;
                        command.Parameters.Add(parameter);
                    }
                }

                return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });

    /// <summary>A database for one test, and what to dispose afterwards.</summary>
    protected sealed class TestStore(Action<Microsoft.EntityFrameworkCore.DbContextOptionsBuilder> configure, string keyRingDirectory, IDisposable? owner) : IAsyncDisposable
    {
        public Action<Microsoft.EntityFrameworkCore.DbContextOptionsBuilder> Configure { get; } = configure;

        public string KeyRingDirectory { get; } = keyRingDirectory;

        public ValueTask DisposeAsync()
        {
            owner?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

public sealed class SqliteStaleSaveTests : StaleSaveTests
{
    protected override Task<TestStore> NewStoreAsync()
    {
        var database = new SqliteContactCenterDatabase();
        return Task.FromResult(new TestStore(database.Configure, database.KeyRingDirectory, database));
    }
}

public sealed class PostgresStaleSaveTests(PostgresKeyStoreDatabase database) : StaleSaveTests, IClassFixture<PostgresKeyStoreDatabase>
{
    protected override async Task<TestStore> NewStoreAsync()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync(); // skips (or fails, GDPR_REQUIRE_POSTGRES=1) without PostgreSQL
        return new TestStore(o => o.UseNpgsql(connectionString), database.KeyRingDirectory, owner: null);
    }

    // Two nodes (two service providers, each with its own key cache and shred listener) on one database. Node B's
    // screen loaded the shopper before node A erased her; once B has heard of the shred, its save is refused.
    [SkippableTheory]
    [InlineData(Change.None)]
    [InlineData(Change.ErasedScopeMember)]
    [InlineData(Change.RetainedScopeMember)]
    public async Task TrackedContextOnAnotherNode_SavedAfterTheErasure_IsRefused_AndEveryErasedValueStaysUnreadable_Art17(Change change)
    {
        await using var store = await NewStoreAsync();
        await using var nodeA = ContactCenterHost.Build(store.Configure, store.KeyRingDirectory, new FakeTimeProvider(ContactCenterHost.Day0));
        var logB = new LogSignal();
        await using var nodeB = ContactCenterHost.Build(
            store.Configure,
            store.KeyRingDirectory,
            new FakeTimeProvider(ContactCenterHost.Day0),
            configureServices: s => s.AddLogging(b => b.AddProvider(logB).SetMinimumLevel(LogLevel.Trace)));
        var subject = await CreateTablesAndSeedAsync(nodeA);

        await using var screenScope = nodeB.CreateAsyncScope();
        var screen = screenScope.ServiceProvider.GetRequiredService<ContactCenterContext>();
        var shopper = await screen.Shoppers.SingleAsync(s => s.CustomerNumber == subject);
        _ = await screen.ChatMessages.Where(m => m.SenderId == subject).ToListAsync();
        _ = await screen.CallRecordings.SingleAsync(r => r.CustomerNumber == subject);
        Assert.Equal(Interests, shopper.Interests);
        var column = await ShopperColumnAsync(nodeB, subject);

        Assert.True((await nodeA.GetRequiredService<IErasureService>().EraseAsync(subject)).IsComplete);
        await AssertErasedAsync(nodeA, subject);
        await WaitUntilNodeHasHeardAsync(nodeB, logB, subject, column!);
        var keyRows = await CountAsync(nodeA, "SELECT count(*) FROM gdpr_subject_keys");

        if (change == Change.ErasedScopeMember)
        {
            shopper.NewsletterEmail = "anna.b@example.org";
        }
        else if (change == Change.RetainedScopeMember)
        {
            shopper.InvoiceName = "Anna de Vries-Jansen";
        }

        await Assert.ThrowsAsync<StalePersonalDataException>(() => screen.SaveChangesAsync());
        Assert.Equal(keyRows, await CountAsync(nodeA, "SELECT count(*) FROM gdpr_subject_keys"));
        await AssertErasedAsync(nodeA, subject);
        await AssertErasedAsync(nodeB, subject);
    }

    /// <summary>Waits (bounded: the notification travels through the server) until node B's listener evicted the marketing key.</summary>
    private static async Task WaitUntilNodeHasHeardAsync(IServiceProvider node, LogSignal log, string subject, byte[] column)
    {
        var pseudonym = node.GetRequiredService<ISubjectKeyManager>().GetPseudonym(subject).Value;
        await log.WaitForAsync(e => e.Id.Id == 2104 && e["Pseudonym"] == pseudonym && e["Scope"] == "marketing", TimeSpan.FromSeconds(10)); // PostgreSqlLog.ShredNotified

        var envelope = GdprEfCore.ReadEnvelopes(column)["marketing"].ToArray();
        var encryptor = node.GetRequiredService<ISpanFieldEncryptor>();
        var plaintext = new byte[encryptor.GetPlaintextLength(envelope)];
        Assert.NotEqual(FieldReadStatus.Decrypted, encryptor.TryDecrypt(new FieldAddress(subject, "marketing", nameof(Shopper)), envelope, plaintext, out _));
    }
}
