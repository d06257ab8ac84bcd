using Gdpr.Classification;
using System.Security.Cryptography;
using System.Text;
using Gdpr.DataSources;
using Gdpr.Keys;
using Gdpr.Retention;
using Gdpr.Storage.EfCore.Columns;
using Gdpr.Storage.EfCore.DataSources;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Tests.Infrastructure;
using Gdpr.Storage.EfCore.Tests.TestModel;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Gdpr.Testing;

namespace Gdpr.Storage.EfCore.Tests;

/// <summary>The adapter's behaviour, run on every provider by the derived classes.</summary>
public abstract class EfAdapterTests : IAsyncLifetime
{
    private static readonly string[] AllScopes = ["default", "marketing", "chat"];
    private TestDatabase? _database;
    private ServiceProvider? _services;

    protected TestDatabase Database => _database ?? throw new InvalidOperationException("skipped");

    protected ServiceProvider Services => _services ?? throw new InvalidOperationException("skipped");

    /// <summary>Creates the provider's database, or returns null when the provider is not available (the test skips).</summary>
    protected abstract TestDatabase? CreateDatabase();

    protected abstract string? SkipReason { get; }

    public async Task InitializeAsync()
    {
        _database = CreateDatabase();
        if (_database is null)
        {
            return;
        }

        _services = BuildServices();
        await using var scope = _services.CreateAsyncScope();
        await _database.CreateTablesAsync(scope.ServiceProvider.GetRequiredService<ShopContext>());
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected void SkipIfUnavailable() => Skip.If(_database is null, SkipReason);

    protected ServiceProvider BuildServices(Action<IGdprBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero)));
        var gdpr = services.AddGdpr(o =>
        {
            o.PseudonymKey = RandomNumberGenerator.GetBytes(32);
            o.RetentionPolicies.Add(new RetentionPolicy { Name = "marketing", Years = 2 });
            o.RetentionPolicies.Add(new RetentionPolicy { Name = "chat", Months = 6, DeleteRowsOnErasure = true });
        }).UseInMemoryStores().UseEfCorePostgreSql().AddEfCoreDataSource<ShopContext>();
        configure?.Invoke(gdpr);
        var database = Database;
        services.AddDbContext<ShopContext>((sp, o) =>
        {
            database.Configure(o);
            o.UseGdpr(sp);

            // Every test builds its own application services, hence its own EF internal provider.
            o.ConfigureWarnings(w => w.Ignore(CoreEventId.ManyServiceProvidersCreatedWarning));
        });
        return services.BuildServiceProvider();
    }

    protected async Task<T> WithContextAsync<T>(Func<ShopContext, Task<T>> action, IServiceProvider? services = null)
    {
        await using var scope = (services ?? Services).CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ShopContext>());
    }

    protected Task WithContextAsync(Func<ShopContext, Task> action, IServiceProvider? services = null)
        => WithContextAsync(async c => { await action(c); return 0; }, services);

    private static Customer NewCustomer(string number, string email, string name = "Alice Example", string? street = "Keizersgracht 1")
        => new()
        {
            CustomerNumber = number,
            Email = email,
            Name = name,
            Tier = Tier.Gold,
            Address = new Address { Street = street, Country = "NL" },
            Phones = [new Phone { Number = $"+31 6 {number}", IsMobile = true }],
            Conversations = [new Conversation { CustomerNumber = number, Transcript = $"transcript of {number}", Recording = [1, 2, 3, 4] }],
        };

    private static TypeSample FullSample(string subject) => new()
    {
        Subject = subject,
        Text = "héllo wörld ✓",
        Bytes = [0, 1, 2, 255],
        U8 = 200,
        I8 = -100,
        I16 = -30000,
        U16 = 60000,
        I32 = int.MinValue,
        U32 = uint.MaxValue,
        I64 = long.MinValue,
        U64 = ulong.MaxValue,
        Dec = 12345.6789m,
        Flag = true,
        When = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc),
        WhenOffset = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)),
        Day = new DateOnly(1980, 2, 29),
        Token = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        Tier = Tier.Gold,
        NText = "nullable text",
        NBytes = [9, 8, 7],
        NU8 = 1,
        NI8 = -1,
        NI16 = -2,
        NU16 = 2,
        NI32 = -3,
        NU32 = 3,
        NI64 = -4,
        NU64 = 4,
        NDec = -0.5m,
        NFlag = false,
        NWhen = new DateTime(2024, 12, 31, 23, 59, 59, DateTimeKind.Local),
        NWhenOffset = new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.FromHours(-5)),
        NDay = new DateOnly(2000, 1, 1),
        NToken = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7"),
        NTier = Tier.Basic,
    };

    [SkippableFact]
    public async Task RoundTrip_EverySupportedTypeAndNullableForm_ReadsBackEqual()
    {
        SkipIfUnavailable();
        var full = FullSample("S-TYPES-1");
        var empty = new TypeSample { Subject = "S-TYPES-2", Text = "", Bytes = [] };
        await WithContextAsync(async db =>
        {
            db.TypeSamples.AddRange(full, empty);
            await db.SaveChangesAsync();
        });

        var (readFull, readEmpty) = await WithContextAsync(async db =>
        {
            var f = await db.TypeSamples.SingleAsync(s => s.Subject == "S-TYPES-1");
            var e = await db.TypeSamples.SingleAsync(s => s.Subject == "S-TYPES-2");
            return (f, e);
        });

        foreach (var property in typeof(TypeSample).GetProperties())
        {
            Assert.True(Equivalent(property.GetValue(full), property.GetValue(readFull)), $"{property.Name} did not round-trip");
            Assert.True(Equivalent(property.GetValue(empty), property.GetValue(readEmpty)), $"{property.Name} (defaults/null) did not round-trip");
        }

        Assert.Equal(DateTimeKind.Local, readFull.NWhen!.Value.Kind);
        Assert.Equal(TimeSpan.FromHours(-5), readFull.NWhenOffset!.Value.Offset);
        Assert.Null(readEmpty.NText);
        Assert.Null(readEmpty.NTier);
    }

    // GDPR Art. 32(1)(a): the stored form of personal data is encrypted.
    [SkippableFact]
    public async Task RawDatabase_Art32_HoldsNoAnnotatedPlaintext()
    {
        SkipIfUnavailable();
        var sample = FullSample("S-RAW-TYPES");
        sample.Text = "typesample-plaintext-marker-77";
        var customer = NewCustomer("S-RAW-SUBJECT-42", "raw-marker-alice@example.org", "Marker Alice Raw", "Marker Street 99");
        customer.Conversations[0].Transcript = "raw transcript marker: my card number is 4111";
        await WithContextAsync(async db =>
        {
            db.Customers.Add(customer);
            db.TypeSamples.Add(sample);
            await db.SaveChangesAsync();
        });

        var raw = await WithContextAsync(Database.ReadRawAsync);

        string[] plaintexts = [customer.Email!, customer.Name, customer.Address!.Street!, customer.Phones[0].Number, customer.Conversations[0].Transcript!, sample.Text, sample.NText!];
        foreach (var plaintext in plaintexts)
        {
            var utf8 = Encoding.UTF8.GetBytes(plaintext);
            Assert.DoesNotContain(raw, buffer => buffer.AsSpan().IndexOf(utf8) >= 0);
        }

        // The search can fail: the subject id is a plaintext lookup column and must be found.
        Assert.Contains(raw, buffer => buffer.AsSpan().IndexOf(Encoding.UTF8.GetBytes("S-RAW-SUBJECT-42")) >= 0 || Database is PostgresTestDatabase);
        Assert.True(raw.Count >= 5, "one personal-data column each for the customer, its address, its phone, its conversation and the type sample");
        if (Database is SqliteTestDatabase sqlite)
        {
            Assert.True(sqlite.HasWal, "the WAL file was expected to hold the writes");
            Assert.Contains(raw, buffer => buffer.AsSpan().IndexOf(Encoding.UTF8.GetBytes("S-RAW-SUBJECT-42")) >= 0);
        }
    }

    // GDPR Art. 17: erasing one subject leaves the others readable.
    [SkippableFact]
    public async Task Erase_Art17_OneSubjectAmongMany_OthersStayReadable()
    {
        SkipIfUnavailable();
        await WithContextAsync(async db =>
        {
            db.Customers.AddRange(NewCustomer("S-A", "a@example.org", "Anna"), NewCustomer("S-B", "b@example.org", "Bert"), NewCustomer("S-C", "c@example.org", "Cleo"));
            await db.SaveChangesAsync();
        });

        var keys = Services.GetRequiredService<ISubjectKeyManager>();
        foreach (var scope in AllScopes)
        {
            await keys.ShredAsync("S-B", scope);
        }

        var source = Assert.Single(Services.GetServices<IPersonalDataSource>());
        // The erasure service names the row-deleting scopes from the policies ("chat"); called directly, the test does.
        var request = new DataSourceErasureRequest(new HashSet<string>(AllScopes), new HashSet<string>()) { RowDeletingScopes = new HashSet<string> { "chat" } };
        var result = await source.EraseAsync("S-B", request);
        var again = await source.EraseAsync("S-B", request);

        Assert.Equal(1, result.RowsDeleted); // the conversation: "chat" says delete rows
        Assert.Equal(1, result.ValuesReplaced); // Customer.Name: ErasureAction.Replace
        Assert.Equal(2, result.RowsFound); // the customer and its conversation, found before anything changed
        Assert.Equal(["chat", "default", "marketing"], result.ScopesFound.Order(StringComparer.Ordinal));
        Assert.Equal((1, 0, 0), (again.RowsFound, again.RowsDeleted, again.ValuesReplaced)); // idempotent: the customer row stays

        await WithContextAsync(async db =>
        {
            var all = await db.Customers.Include(c => c.Conversations).OrderBy(c => c.CustomerNumber).ToListAsync();
            Assert.Equal(["S-A", "S-B", "S-C"], all.Select(c => c.CustomerNumber));
            var (a, b, c) = (all[0], all[1], all[2]);
            Assert.Equal(("a@example.org", "Anna", Tier.Gold, "Keizersgracht 1"), (a.Email, a.Name, a.Tier, a.Address!.Street));
            Assert.Equal(("c@example.org", "Cleo", Tier.Gold, "Keizersgracht 1"), (c.Email, c.Name, c.Tier, c.Address!.Street));
            Assert.Equal("transcript of S-A", Assert.Single(a.Conversations).Transcript);
            Assert.Equal("+31 6 S-C", Assert.Single(c.Phones).Number);
            Assert.Null(Assert.Single(b.Phones).Number); // erased without a replacement: the member type's default
            Assert.Equal("transcript of S-C", Assert.Single(c.Conversations).Transcript);

            Assert.Null(b.Email); // erased, no replacement
            Assert.Equal("[erased]", b.Name); // replaced
            Assert.Equal(Tier.Basic, b.Tier); // erased, replacement converted to the member type
            Assert.Null(b.Address!.Street);
            Assert.Equal("NL", b.Address.Country);
            Assert.Empty(b.Conversations);
        });

        var exported = await source.ExportAsync("S-B").ToListAsync();
        Assert.All(exported, item => Assert.True(item.IsErased && item.Value is null));
        Assert.Contains(exported, item => item.Member == "Name");
    }

    // GDPR Art. 15 and 17: a subject with more rows than one batch (three batches of conversations, keyed by Guid) is
    // exported and erased completely, each row exactly once: the batches are paged by key, not by offset.
    [SkippableFact]
    public async Task ExportAndErase_Art15_Art17_MoreRowsThanOneBatch_EveryRowOnceAndNoneLeft()
    {
        SkipIfUnavailable();
        var rows = (2 * DbContextPersonalDataSource<ShopContext>.BatchSize) + 1;
        await WithContextAsync(async db =>
        {
            var many = NewCustomer("S-MANY", "many@example.org", "Mara Many");
            many.Conversations = [.. Enumerable.Range(0, rows).Select(i => new Conversation { CustomerNumber = "S-MANY", Transcript = $"call {i}" })];
            db.Customers.AddRange(many, NewCustomer("S-OTHER", "other@example.org", "Otto"));
            await db.SaveChangesAsync();
        });

        var source = Assert.Single(Services.GetServices<IPersonalDataSource>());
        var transcripts = (await source.ExportAsync("S-MANY").ToListAsync()).Where(i => i.Member == nameof(Conversation.Transcript)).Select(i => (string)i.Value!).ToList();
        Assert.Equal(rows, transcripts.Count);
        Assert.Equal(Enumerable.Range(0, rows).Select(i => $"call {i}").Order(StringComparer.Ordinal), transcripts.Order(StringComparer.Ordinal));

        var request = new DataSourceErasureRequest(new HashSet<string>(AllScopes), new HashSet<string>()) { RowDeletingScopes = new HashSet<string> { "chat" } };
        var result = await source.EraseAsync("S-MANY", request);

        Assert.Equal(rows, result.RowsDeleted); // every conversation ("chat" deletes rows), none skipped between batches
        Assert.Equal(rows + 1, result.RowsFound);
        await WithContextAsync(async db =>
        {
            Assert.Equal(0, await db.Set<Conversation>().CountAsync(c => c.CustomerNumber == "S-MANY"));
            Assert.Equal("transcript of S-OTHER", (await db.Set<Conversation>().SingleAsync(c => c.CustomerNumber == "S-OTHER")).Transcript);
        });
    }

    // GDPR Art. 17: the source may run before the keys are destroyed; a replaced value must stay replaced.
    [SkippableFact]
    public async Task Erase_Art17_BeforeKeysAreDestroyed_StillReplacesAndDeletes()
    {
        SkipIfUnavailable();
        await WithContextAsync(async db =>
        {
            db.Customers.AddRange(NewCustomer("S-EARLY", "early@example.org", "Eddie Early"), NewCustomer("S-STAY", "stay@example.org", "Stella"));
            await db.SaveChangesAsync();
        });

        var source = Services.GetRequiredService<IPersonalDataSource>();
        var result = await source.EraseAsync("S-EARLY", new DataSourceErasureRequest(new HashSet<string>(AllScopes), new HashSet<string>()) { RowDeletingScopes = new HashSet<string> { "chat" } });

        Assert.Equal((1, 1), (result.RowsDeleted, result.ValuesReplaced));
        var early = await WithContextAsync(db => db.Customers.Include(c => c.Conversations).SingleAsync(c => c.CustomerNumber == "S-EARLY"));
        Assert.Equal("[erased]", early.Name);
        Assert.Null(early.Email); // Name's record (scope "default") is blanked whole: the scope's key is being destroyed anyway
        Assert.Equal(Tier.Gold, early.Tier); // the marketing record holds no Replace member, and its key is the caller's to destroy
        Assert.Empty(early.Conversations);
        Assert.Equal(Array.Empty<byte>(), await EnvelopeAsync("S-EARLY", "default"));
        Assert.Equal("Stella", (await WithContextAsync(db => db.Customers.SingleAsync(c => c.CustomerNumber == "S-STAY"))).Name);
    }

    // A record is erased whole, with its scope's key. Writing a value into it afterwards starts a new record under the
    // scope's next key, holding only the new values (the erased ones are gone, not carried over as text); the
    // subject's other records are not touched.
    [SkippableFact]
    public async Task WritingIntoAnErasedRecord_StartsANewRecord_WithOnlyTheNewValues()
    {
        SkipIfUnavailable();
        await WithContextAsync(async db =>
        {
            db.Customers.Add(NewCustomer("S-AGAIN", "again@example.org", "Agnes"));
            await db.SaveChangesAsync();
        });

        await Services.GetRequiredService<ISubjectKeyManager>().ShredAsync("S-AGAIN", "default");
        var marketing = await EnvelopeAsync("S-AGAIN", "marketing");

        await using (var scope = Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            var erased = await db.Customers.SingleAsync(c => c.CustomerNumber == "S-AGAIN");
            Assert.Equal((null, "[erased]", Tier.Gold), (erased.Email, erased.Name, erased.Tier));
            erased.Email = "back@example.org";
            await db.SaveChangesAsync();
        }

        var read = await WithContextAsync(db => db.Customers.AsNoTracking().SingleAsync(c => c.CustomerNumber == "S-AGAIN"));
        Assert.Equal(("back@example.org", null, Tier.Gold), (read.Email, (string?)read.Name, read.Tier));
        Assert.Equal(marketing, await EnvelopeAsync("S-AGAIN", "marketing"));
    }

    // GDPR Art. 15: export streams a subject's decrypted values and nobody else's.
    [SkippableFact]
    public async Task Export_Art15_StreamsTheSubjectsDecryptedValuesOnly()
    {
        SkipIfUnavailable();
        await WithContextAsync(async db =>
        {
            db.Customers.AddRange(NewCustomer("S-X", "x@example.org", "Xavier", "Xstraat 1"), NewCustomer("S-Y", "y@example.org", "Yara"));
            await db.SaveChangesAsync();
        });

        var source = Services.GetRequiredService<IPersonalDataSource>();
        var items = await source.ExportAsync("S-X").ToListAsync();

        var byMember = items.ToDictionary(i => (i.Entity, i.Member));
        Assert.Equal("x@example.org", byMember[("Customer", "Email")].Value);
        Assert.Equal("Xavier", byMember[("Customer", "Name")].Value);
        Assert.Equal(Tier.Gold, byMember[("Customer", "Tier")].Value);
        Assert.Equal("Xstraat 1", byMember[("Customer.Address", "Street")].Value);
        Assert.Equal("transcript of S-X", byMember[("Conversation", "Transcript")].Value);
        Assert.Equal("+31 6 S-X", byMember[("Customer.Phones", "Number")].Value);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, byMember[("Conversation", "Recording")].Value);
        Assert.Equal(PersonalDataCategories.Email, byMember[("Customer", "Email")].Category);
        Assert.Equal("marketing", byMember[("Customer", "Tier")].RetentionPolicy);
        Assert.All(items, i => Assert.False(i.IsErased));
        Assert.All(items, i => Assert.False(string.IsNullOrEmpty(i.RecordKey)));
        Assert.All(items, i => Assert.Equal("S-X", i.SubjectId)); // lets the exporter refuse another subject's value (Art. 15(4))
        Assert.DoesNotContain(items, i => Equals(i.Value, "y@example.org") || Equals(i.Value, "Yara"));
        Assert.Equal(7, items.Count);
    }

    [SkippableFact]
    public async Task GuidSubjectId_RoundTripsAndExports_ByItsTextForm()
    {
        SkipIfUnavailable();
        var account = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        await WithContextAsync(async db =>
        {
            db.Tickets.AddRange(new Ticket { AccountId = account, AgentNote = "called about invoice" }, new Ticket { AccountId = Guid.NewGuid(), AgentNote = "other" });
            await db.SaveChangesAsync();
        });

        var note = await WithContextAsync(db => db.Tickets.Where(t => t.AccountId == account).Select(t => t.AgentNote).SingleAsync());
        var item = Assert.Single(await Services.GetRequiredService<IPersonalDataSource>().ExportAsync(account.ToString("D").ToUpperInvariant()).ToListAsync());
        Assert.Equal(account.ToString("D").ToUpperInvariant(), item.SubjectId); // the caller's spelling of the same id

        Assert.Equal("called about invoice", note);
        Assert.Equal(("Ticket", "AgentNote", "called about invoice"), (item.Entity, item.Member, item.Value));
        Assert.Equal((LawfulBasis.LegitimateInterests, false), (item.LawfulBasis, item.ProvidedBySubject));
        Assert.Equal(["support"], item.Purposes);
        Assert.Empty(await Services.GetRequiredService<IPersonalDataSource>().ExportAsync("not-a-guid").ToListAsync());
    }

    [SkippableFact]
    public async Task ConcurrentFirstWrites_SameNewSubject_BothStayReadable()
    {
        SkipIfUnavailable();
        using var start = new ManualResetEventSlim();
        async Task WriteAsync(string email)
        {
            await using var scope = Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            db.Customers.Add(NewCustomer("S-RACE", email));
            start.Wait();
            await db.SaveChangesAsync();
        }

        var writers = new[] { Task.Run(() => WriteAsync("first@example.org")), Task.Run(() => WriteAsync("second@example.org")) };
        start.Set();
        await Task.WhenAll(writers);

        // Drop the cached keys so that reading goes to the key store: the kept key must open both rows.
        var keys = Services.GetRequiredService<ISubjectKeyManager>();
        Services.GetRequiredService<Gdpr.Keys.Infrastructure.ISubjectKeyCache>().Evict(keys.GetPseudonym("S-RACE"));
        var emails = await WithContextAsync(db => db.Customers.Where(c => c.CustomerNumber == "S-RACE").Select(c => c.Email).ToListAsync());
        Assert.Equal(["first@example.org", "second@example.org"], emails.Order());
    }

    // The real set-up: the EF key store in the same database. A cold key cache makes the read load every key while
    // the application's context is busy reading; the store must go through a context and connection of its own.
    [SkippableFact]
    public async Task EfKeyStoreOnTheSameDatabase_ColdCache_LoadsKeysWhileTheContextReads()
    {
        SkipIfUnavailable();
        var database = Database;
        await using var services = BuildServices(g => g.UseEfCoreKeyStore(database.Configure));
        await using (var keyStore = await services.GetRequiredService<IDbContextFactory<GdprKeyStoreDbContext>>().CreateDbContextAsync())
        {
            await keyStore.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
        }

        string[] subjects = ["S-EFK-1", "S-EFK-2", "S-EFK-3"];
        await WithContextAsync(async db =>
        {
            db.Customers.AddRange(subjects.Select(s => NewCustomer(s, $"{s}@example.org")));
            await db.SaveChangesAsync();
        }, services);

        var keys = services.GetRequiredService<ISubjectKeyManager>();
        foreach (var subject in subjects)
        {
            Services.GetRequiredService<Gdpr.Keys.Infrastructure.ISubjectKeyCache>().Evict(keys.GetPseudonym(subject));
        }

        var read = await WithContextAsync(db => db.Customers.Where(c => c.CustomerNumber.StartsWith("S-EFK-")).OrderBy(c => c.CustomerNumber).ToListAsync(), services);
        Assert.Equal(subjects.Select(s => $"{s}@example.org"), read.Select(c => c.Email));
        Assert.Equal(subjects.Select(s => $"+31 6 {s}"), read.Select(c => Assert.Single(c.Phones).Number));
    }

    [SkippableFact]
    public async Task TrackedEntity_SavedTwice_IsNotEncryptedTwice()
    {
        SkipIfUnavailable();
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
        var customer = NewCustomer("S-TWICE", "twice@example.org", "Twice");
        db.Customers.Add(customer);
        await db.SaveChangesAsync();
        var firstEnvelope = await EnvelopeAsync("S-TWICE", "default"); // e-mail and name
        var marketing = await EnvelopeAsync("S-TWICE", "marketing"); // the interests tier

        await db.SaveChangesAsync(); // nothing changed
        Assert.Equal("twice@example.org", customer.Email);
        Assert.Equal(firstEnvelope, await EnvelopeAsync("S-TWICE", "default"));

        customer.Name = "Twice Renamed";
        await db.SaveChangesAsync();
        Assert.Equal(("twice@example.org", "Twice Renamed"), (customer.Email, customer.Name));
        Assert.NotEqual(firstEnvelope, await EnvelopeAsync("S-TWICE", "default")); // Name's record, Email in it
        Assert.Equal(marketing, await EnvelopeAsync("S-TWICE", "marketing")); // the unchanged record kept its envelope
        firstEnvelope = await EnvelopeAsync("S-TWICE", "default");

        var read = await WithContextAsync(c => c.Customers.AsNoTracking().SingleAsync(x => x.CustomerNumber == "S-TWICE"));
        Assert.Equal(("twice@example.org", "Twice Renamed", "Keizersgracht 1"), (read.Email, read.Name, read.Address!.Street));

        // A tracked, materialized entity saved again is not re-encrypted either.
        var tracked = await db.Customers.SingleAsync(x => x.CustomerNumber == "S-TWICE");
        db.ChangeTracker.Clear();
        var again = await db.Customers.SingleAsync(x => x.CustomerNumber == "S-TWICE");
        Assert.Equal(EntityState.Unchanged, db.Entry(again).State);
        await db.SaveChangesAsync();
        Assert.Equal(firstEnvelope, await EnvelopeAsync("S-TWICE", "default"));
        Assert.Equal("twice@example.org", tracked.Email);
    }

    // Conversation is read by the direct materializer (the subject id and key assigned once, members typed);
    // Customer, with owned types, by the general one. Both must behave the same to the application.
    [SkippableFact]
    public async Task DirectMaterializer_TrackedEntity_HasItsKeyAndSubject_AndSavesOnlyWhatChanged()
    {
        SkipIfUnavailable();
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
        var customer = NewCustomer("S-DIRECT", "direct@example.org");
        db.Customers.Add(customer);
        await db.SaveChangesAsync();
        var id = Assert.Single(customer.Conversations).Id;
        db.ChangeTracker.Clear();

        var read = await db.Conversations.SingleAsync(c => c.CustomerNumber == "S-DIRECT");
        Assert.Equal((id, customer.Id, "S-DIRECT", "transcript of S-DIRECT"), (read.Id, read.CustomerId, read.CustomerNumber, read.Transcript));
        Assert.Equal([1, 2, 3, 4], read.Recording);
        Assert.Equal(EntityState.Unchanged, db.Entry(read).State);
        Assert.Equal("S-DIRECT", db.Entry(read).OriginalValues[nameof(Conversation.CustomerNumber)]);
        var chatBefore = await ConversationEnvelopeAsync(id, "chat");

        await db.SaveChangesAsync(); // nothing changed: not encrypted again
        Assert.Equal(chatBefore, await ConversationEnvelopeAsync(id, "chat"));

        read.Transcript = "amended transcript";
        await db.SaveChangesAsync();
        Assert.NotEqual(chatBefore, await ConversationEnvelopeAsync(id, "chat"));
        var again = await WithContextAsync(c => c.Conversations.AsNoTracking().SingleAsync(x => x.Id == id));
        Assert.Equal(("S-DIRECT", "amended transcript"), (again.CustomerNumber, again.Transcript));
        Assert.Equal([1, 2, 3, 4], again.Recording); // the other member of the record, carried over
    }

    [SkippableFact]
    public async Task ConstructorBoundSubjectId_IsLeftToEf_AndMembersStillDecrypt()
    {
        SkipIfUnavailable();
        var callback = new Callback("S-CTOR") { Number = "+31 20 555 0101", PreferredDay = new DateOnly(2026, 2, 3) };
        await WithContextAsync(async db =>
        {
            db.Callbacks.AddRange(callback, new Callback("S-CTOR-NULL"));
            await db.SaveChangesAsync();
        });

        var read = await WithContextAsync(db => db.Callbacks.AsNoTracking().OrderBy(c => c.Id).ToListAsync());
        Assert.Equal(2, read.Count);
        Assert.Equal((callback.Id, "S-CTOR", "+31 20 555 0101", new DateOnly(2026, 2, 3)), (read[0].Id, read[0].CustomerNumber, read[0].Number, read[0].PreferredDay));
        Assert.Equal(("S-CTOR-NULL", null, null), (read[1].CustomerNumber, read[1].Number, read[1].PreferredDay));
    }

    [SkippableFact]
    public async Task Hierarchy_EachDerivedType_DecryptsItsOwnAndInheritedMembers()
    {
        SkipIfUnavailable();
        await WithContextAsync(async db =>
        {
            db.Interactions.AddRange(
                new PhoneInteraction { CustomerNumber = "S-TPH", Notes = "called about invoice", CallerNumber = "+31 20 555 0199" },
                new ChatInteraction { CustomerNumber = "S-TPH", Notes = "chat about delivery", Cookie = "sid=abc123", IpAddress = "192.0.2.44" });
            await db.SaveChangesAsync();
        });

        var read = await WithContextAsync(db => db.Interactions.AsNoTracking().Where(i => i.CustomerNumber == "S-TPH").ToListAsync());
        Assert.Equal(2, read.Count);
        var phone = Assert.Single(read.OfType<PhoneInteraction>());
        var chat = Assert.Single(read.OfType<ChatInteraction>());
        Assert.Equal(("S-TPH", "called about invoice", "+31 20 555 0199"), (phone.CustomerNumber, phone.Notes, phone.CallerNumber));
        Assert.Equal(("S-TPH", "chat about delivery", "sid=abc123", "192.0.2.44"), (chat.CustomerNumber, chat.Notes, chat.Cookie, chat.IpAddress));
        Assert.True(phone.Id > 0 && chat.Id > 0 && phone.Id != chat.Id);
    }

    [SkippableFact]
    public async Task TamperedCiphertext_OnTheDirectMaterializer_NamesEntityKeyAndMember_WithoutPlaintext()
    {
        SkipIfUnavailable();
        var customer = NewCustomer("S-TAMPER-DIRECT", "tamper-direct@example.org");
        await WithContextAsync(async db =>
        {
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
        });

        var id = Assert.Single(customer.Conversations).Id;
        var column = (await ConversationColumnAsync(id))!;
        column[StoredEnvelopes.RangeOf(column, "chat").End.Value - 1] ^= 0x01; // the last byte of the chat record's envelope
        await WithContextAsync(db => db.Database.ExecuteSqlRawAsync($"UPDATE \"Conversations\" SET \"{StoredEnvelopes.Column}\" = {{0}} WHERE \"Id\" = {{1}}", column, id));

        var error = await Assert.ThrowsAsync<PersonalDataIntegrityException>(() =>
            WithContextAsync(db => db.Conversations.AsNoTracking().SingleAsync(c => c.Id == id)));

        Assert.Equal(IntegrityFailure.AuthenticationFailed, error.Failure);
        Assert.Equal("Conversation", error.Field);
        Assert.Contains("entity Conversation", error.Message, StringComparison.Ordinal);
        Assert.Contains($"key {id}", error.Message, StringComparison.Ordinal);
        Assert.Contains("members Transcript, Recording (scope chat)", error.Message, StringComparison.Ordinal);
        foreach (var secret in new[] { "transcript of S-TAMPER-DIRECT", "S-TAMPER-DIRECT" })
        {
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        }
    }

    // A partial update through a stub (attach an instance holding only the key, the subject and the changed member):
    // the members it leaves null are not part of the update, as with any EF property the stub does not mark
    // modified. They share a record with the changed one, so the adapter reads the stored record to carry them over.
    [SkippableFact]
    public async Task PartialUpdate_ThroughAStub_KeepsTheMembersItDoesNotSet()
    {
        SkipIfUnavailable();
        var customer = NewCustomer("S-STUB", "stub@example.org");
        await WithContextAsync(async db =>
        {
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
        });

        var stored = Assert.Single(customer.Conversations);
        await WithContextAsync(async db =>
        {
            db.Attach(new Conversation { Id = stored.Id, CustomerId = stored.CustomerId, CustomerNumber = "S-STUB", Transcript = "amended through a stub" });
            await db.SaveChangesAsync();
        });

        var read = await WithContextAsync(db => db.Conversations.AsNoTracking().SingleAsync(c => c.Id == stored.Id));
        Assert.Equal("amended through a stub", read.Transcript);
        Assert.Equal([1, 2, 3, 4], read.Recording); // carried over from the stored record

        await using (var scope = Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            db.Attach(new Conversation { Id = stored.Id, CustomerId = stored.CustomerId, CustomerNumber = "S-STUB", Transcript = "amended synchronously" });
            db.SaveChanges(); // the synchronous path reads the stored column synchronously
        }

        read = await WithContextAsync(db => db.Conversations.AsNoTracking().SingleAsync(c => c.Id == stored.Id));
        Assert.Equal("amended synchronously", read.Transcript);
        Assert.Equal([1, 2, 3, 4], read.Recording);
    }

    // The column's framing edited (cut short inside its last entry): the envelope cannot even be found. Still a typed
    // integrity error naming entity, key and member, never an out-of-range read and never a silent null.
    [SkippableFact]
    public async Task TruncatedPersonalDataColumn_ThrowsIntegrityError_NamingEntityKeyAndMember_WithoutPlaintext()
    {
        SkipIfUnavailable();
        var customer = NewCustomer("S-TAMPER-FRAME", "tamper-frame@example.org");
        await WithContextAsync(async db =>
        {
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
        });

        var id = Assert.Single(customer.Conversations).Id;
        var column = (await ConversationColumnAsync(id))!;
        await WithContextAsync(db => db.Database.ExecuteSqlRawAsync($"UPDATE \"Conversations\" SET \"{StoredEnvelopes.Column}\" = {{0}} WHERE \"Id\" = {{1}}", column[..^3], id));

        var error = await Assert.ThrowsAsync<PersonalDataIntegrityException>(() =>
            WithContextAsync(db => db.Conversations.AsNoTracking().SingleAsync(c => c.Id == id)));

        Assert.Equal(IntegrityFailure.UnsupportedFormat, error.Failure);
        Assert.Equal("Conversation", error.Field);
        Assert.Contains("entity Conversation", error.Message, StringComparison.Ordinal);
        Assert.Contains($"key {id}", error.Message, StringComparison.Ordinal);
        Assert.Contains("members Transcript, Recording (scope chat)", error.Message, StringComparison.Ordinal);
        foreach (var secret in new[] { "transcript of S-TAMPER-FRAME", "S-TAMPER-FRAME" })
        {
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        }
    }

    // A row without a scope's record (written before that scope's members existed, or with all of them null) reads
    // them as null or their type's default, the others as written; saving a value adds the record and leaves the
    // other records' envelopes as they were.
    [SkippableFact]
    public async Task RowWithoutAScopesRecord_ReadsItsMembersAsNull_AndKeepsTheOthers()
    {
        SkipIfUnavailable();
        var customer = NewCustomer("S-OLD-ROW", "old-row@example.org");
        await WithContextAsync(async db =>
        {
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
        });

        var entries = PersonalDataColumn.ReadAll(await CustomerColumnAsync("S-OLD-ROW"));
        var contact = entries.Single(e => Encoding.UTF8.GetString(e.Name) == "default").Envelope.ToArray();
        var older = PersonalDataColumn.Write([.. entries.Where(e => Encoding.UTF8.GetString(e.Name) != "marketing")]);
        await WithContextAsync(db => db.Database.ExecuteSqlRawAsync($"UPDATE \"Customers\" SET \"{StoredEnvelopes.Column}\" = {{0}} WHERE \"Id\" = {{1}}", older!, customer.Id));

        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
        var read = await db.Customers.SingleAsync(c => c.Id == customer.Id);
        Assert.Equal(("old-row@example.org", default(Tier)), (read.Email, read.Tier));

        read.Tier = Tier.Gold;
        await db.SaveChangesAsync();
        Assert.Equal(contact, await EnvelopeAsync("S-OLD-ROW", "default"));
        Assert.NotNull(await EnvelopeAsync("S-OLD-ROW", "marketing"));
        var again = await WithContextAsync(c => c.Customers.AsNoTracking().SingleAsync(x => x.Id == customer.Id));
        Assert.Equal(("old-row@example.org", Tier.Gold), (again.Email, again.Tier));
    }

    [SkippableFact]
    public async Task SynchronousSaveChanges_EncryptsAndReadsBack()
    {
        SkipIfUnavailable();
        await using (var scope = Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ShopContext>();
            db.Customers.Add(NewCustomer("S-SYNC", "sync@example.org"));
            db.SaveChanges();
        }

        Assert.NotNull(await EnvelopeAsync("S-SYNC", "default"));
        await using var readScope = Services.CreateAsyncScope();
        var reader = readScope.ServiceProvider.GetRequiredService<ShopContext>();
        Assert.Equal("sync@example.org", reader.Customers.Single(c => c.CustomerNumber == "S-SYNC").Email);
    }

    [SkippableFact]
    public async Task ProjectionAndNoTracking_DecryptAnnotatedMembers()
    {
        SkipIfUnavailable();
        await WithContextAsync(async db =>
        {
            db.Customers.AddRange(NewCustomer("S-P1", "p1@example.org", "Pia", "Pstraat 1"), NewCustomer("S-P2", "p2@example.org", "Piet", "Pstraat 2"));
            await db.SaveChangesAsync();
        });

        await WithContextAsync(async db =>
        {
            var anonymous = await db.Customers.Where(c => c.CustomerNumber == "S-P1").Select(c => new { c.Id, c.Email, Street = c.Address!.Street }).SingleAsync();
            Assert.Equal(("p1@example.org", "Pstraat 1"), (anonymous.Email, anonymous.Street));

            // A projection of an annotated member materializes (and, in a tracking query, tracks) the entity.
            db.ChangeTracker.Clear();
            var scalars = await db.Customers.AsNoTracking().OrderBy(c => c.CustomerNumber).Where(c => c.CustomerNumber.StartsWith("S-P")).Select(c => c.Name).ToListAsync();
            Assert.Equal(["Pia", "Piet"], scalars);

            var noTracking = await db.Customers.AsNoTracking().Include(c => c.Conversations).SingleAsync(c => c.CustomerNumber == "S-P2");
            Assert.Equal(("p2@example.org", "Piet", Tier.Gold, "Pstraat 2"), (noTracking.Email, noTracking.Name, noTracking.Tier, noTracking.Address!.Street));
            Assert.Equal("transcript of S-P2", Assert.Single(noTracking.Conversations).Transcript);
            Assert.Equal("+31 6 S-P2", Assert.Single(noTracking.Phones).Number);
            Assert.Empty(db.ChangeTracker.Entries());

            var joined = await db.Conversations.AsNoTracking().Where(c => c.CustomerNumber == "S-P1")
                .Select(c => new { c.Transcript, Owner = db.Customers.Single(x => x.Id == c.CustomerId).Email }).SingleAsync();
            Assert.Equal(("transcript of S-P1", "p1@example.org"), (joined.Transcript, joined.Owner));
        });
    }

    // Documented limitation: an owned type's subject is its owner's, so the owner must be in the query.
    [SkippableFact]
    public async Task OwnedCollectionQueriedWithoutItsOwner_ThrowsTypedError_NotCiphertext()
    {
        SkipIfUnavailable();
        await WithContextAsync(async db =>
        {
            db.Customers.Add(NewCustomer("S-OWNED", "owned@example.org"));
            await db.SaveChangesAsync();
        });

        var error = await Assert.ThrowsAsync<PersonalDataModelException>(() => WithContextAsync(db =>
            db.Customers.AsNoTracking().Where(c => c.CustomerNumber == "S-OWNED").SelectMany(c => c.Phones).ToListAsync()));
        Assert.Equal("Phone", error.Entity);
    }

    [SkippableTheory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task MissingSubjectId_ThrowsTypedError_AndWritesNothing(string? subject)
    {
        SkipIfUnavailable();
        var error = await Assert.ThrowsAsync<PersonalDataModelException>(() => WithContextAsync(async db =>
        {
            db.Customers.Add(NewCustomer("S-OK-NEIGHBOUR", "n@example.org"));
            db.Customers.Add(NewCustomer(subject!, "nobody@example.org"));
            await db.SaveChangesAsync();
        }));

        Assert.Equal(("Customer", "CustomerNumber"), (error.Entity, error.Member));
        Assert.DoesNotContain("nobody@example.org", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await WithContextAsync(db => db.Customers.CountAsync()));
        Assert.Equal(0, await WithContextAsync(db => db.Conversations.CountAsync()));
    }

    [SkippableFact]
    public async Task TamperedCiphertext_ThrowsIntegrityError_NamingEntityKeyAndMember_WithoutPlaintext()
    {
        SkipIfUnavailable();
        var customer = NewCustomer("S-TAMPER-SUBJECT", "tamper@example.org", "Tamara");
        await WithContextAsync(async db =>
        {
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
        });

        var column = (await CustomerColumnAsync("S-TAMPER-SUBJECT"))!;
        column[StoredEnvelopes.RangeOf(column, "default").End.Value - 3] ^= 0x40; // one bit of the e-mail-and-name record's tag
        await WithContextAsync(db => db.Database.ExecuteSqlRawAsync($"UPDATE \"Customers\" SET \"{StoredEnvelopes.Column}\" = {{0}} WHERE \"Id\" = {{1}}", column, customer.Id));

        var error = await Assert.ThrowsAsync<PersonalDataIntegrityException>(() =>
            WithContextAsync(db => db.Customers.SingleAsync(c => c.CustomerNumber == "S-TAMPER-SUBJECT")));

        Assert.Equal(IntegrityFailure.AuthenticationFailed, error.Failure);
        Assert.Equal("Customer", error.Field);
        Assert.Contains("entity Customer", error.Message, StringComparison.Ordinal);
        Assert.Contains($"key {customer.Id}", error.Message, StringComparison.Ordinal);
        Assert.Contains("members Email, Name (scope default)", error.Message, StringComparison.Ordinal);
        foreach (var secret in new[] { "tamper@example.org", "Tamara", "S-TAMPER-SUBJECT" })
        {
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task KeyStoreUnreachable_ThrowsKeyUnavailable_AndWritesNothing()
    {
        SkipIfUnavailable();
        var store = new Mock<ISubjectKeyStore>();
        store.Setup(s => s.GetStateAsync(It.IsAny<SubjectPseudonym>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("key store unreachable"));
        store.Setup(s => s.AddKeyAsync(It.IsAny<WrappedSubjectKey>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("key store unreachable"));
        store.Setup(s => s.GetStatesAsync(It.IsAny<IReadOnlyList<(SubjectPseudonym, string)>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("key store unreachable"));
        store.Setup(s => s.AddKeysAsync(It.IsAny<IReadOnlyList<WrappedSubjectKey>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("key store unreachable"));
        await using var failing = BuildServices(g => g.Services.Replace(ServiceDescriptor.Singleton(store.Object)));

        await Assert.ThrowsAsync<KeyUnavailableException>(() => WithContextAsync(async db =>
        {
            db.Customers.Add(NewCustomer("S-DOWN", "down@example.org"));
            await db.SaveChangesAsync();
        }, failing));

        Assert.Equal(0, await WithContextAsync(db => db.Customers.CountAsync()));
        var raw = await WithContextAsync(Database.ReadRawAsync);
        Assert.DoesNotContain(raw, buffer => buffer.AsSpan().IndexOf("down@example.org"u8) >= 0);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SaveChanges_ManyNewSubjects_CreatesTheirKeysInOneKeyStoreCall(bool synchronous)
    {
        SkipIfUnavailable();
        var inner = new InMemorySubjectKeyStore();
        var store = new FaultInjectingSubjectKeyStore(inner);
        await using var counted = BuildServices(g => g.Services.Replace(ServiceDescriptor.Singleton<ISubjectKeyStore>(store)));
        var numbers = Enumerable.Range(0, 5).Select(i => $"S-BATCH-{i}").ToArray();

        await WithContextAsync(async db =>
        {
            db.Customers.AddRange(numbers.Select(n => NewCustomer(n, $"{n}@example.org")));
            if (synchronous)
            {
                db.SaveChanges();
            }
            else
            {
                await db.SaveChangesAsync();
            }
        }, counted);

        Assert.Equal(1, store.CallCount(SubjectKeyStoreCall.AddKeys));
        Assert.Equal(0, store.CallCount(SubjectKeyStoreCall.AddKey));
        Assert.Equal(numbers.Length * AllScopes.Length, inner.Count);
        var read = await WithContextAsync(db => db.Customers.AsNoTracking().OrderBy(c => c.CustomerNumber).ToListAsync(), counted);
        Assert.Equal(numbers.Select(n => $"{n}@example.org"), read.Select(c => c.Email));

        // Known subjects: a second save needs no new key, so no write reaches the store.
        await WithContextAsync(async db =>
        {
            var customers = await db.Customers.ToListAsync();
            customers.ForEach(c => c.Name = "Renamed");
            await db.SaveChangesAsync();
        }, counted);
        Assert.Equal(1, store.CallCount(SubjectKeyStoreCall.AddKeys));
    }

    [SkippableFact]
    public async Task SaveChanges_KnownSubjectErasedWhileTheBatchOfNewKeysIsStored_IsRefusedAsStale_AndWritesNothing()
    {
        SkipIfUnavailable();
        var store = new FaultInjectingSubjectKeyStore(new InMemorySubjectKeyStore());
        await using var counted = BuildServices(g => g.Services.Replace(ServiceDescriptor.Singleton<ISubjectKeyStore>(store)));
        await WithContextAsync(async db =>
        {
            db.Customers.Add(NewCustomer("S-KNOWN", "known@example.org"));
            await db.SaveChangesAsync();
        }, counted);

        var keys = counted.GetRequiredService<ISubjectKeyManager>();
        store.Before(SubjectKeyStoreCall.AddKeys, async ct => await keys.ShredAsync("S-KNOWN", "default", ct)); // between the save's prepare and its encryption
        await Assert.ThrowsAsync<StalePersonalDataException>(() => WithContextAsync(async db =>
        {
            var known = await db.Customers.SingleAsync(c => c.CustomerNumber == "S-KNOWN");
            known.Name = "Read before the erasure";
            db.Customers.Add(NewCustomer("S-NEW", "new@example.org"));
            await db.SaveChangesAsync();
        }, counted));

        Assert.Equal(0, await WithContextAsync(db => db.Customers.CountAsync(c => c.CustomerNumber == "S-NEW"), counted));
        var raw = await WithContextAsync(Database.ReadRawAsync);
        Assert.DoesNotContain(raw, buffer => buffer.AsSpan().IndexOf("Read before the erasure"u8) >= 0);
    }

    private async Task<byte[]?> EnvelopeAsync(string subject, string scope)
        => StoredEnvelopes.Of(await CustomerColumnAsync(subject), scope);

    private Task<byte[]?> CustomerColumnAsync(string subject)
        => WithContextAsync(db => db.Customers.AsNoTracking().Where(c => c.CustomerNumber == subject).Select(c => EF.Property<byte[]?>(c, StoredEnvelopes.Column)).SingleAsync());

    private async Task<byte[]?> ConversationEnvelopeAsync(Guid id, string scope)
        => StoredEnvelopes.Of(await ConversationColumnAsync(id), scope);

    private Task<byte[]?> ConversationColumnAsync(Guid id)
        => WithContextAsync(db => db.Conversations.AsNoTracking().Where(c => c.Id == id).Select(c => EF.Property<byte[]?>(c, StoredEnvelopes.Column)).SingleAsync());

    private static bool Equivalent(object? expected, object? actual)
        => expected is byte[] a && actual is byte[] b ? a.AsSpan().SequenceEqual(b) : Equals(expected, actual);
}

public sealed class SqliteEfAdapterTests : EfAdapterTests
{
    protected override string? SkipReason => null;

    protected override TestDatabase CreateDatabase() => new SqliteTestDatabase();
}

public sealed class PostgresEfAdapterTests : EfAdapterTests
{
    protected override string? SkipReason => PostgresServer.HowToRun;

    protected override TestDatabase? CreateDatabase()
        => PostgresServer.AdminConnectionString() is { } cs ? new PostgresTestDatabase(cs) : null;
}
