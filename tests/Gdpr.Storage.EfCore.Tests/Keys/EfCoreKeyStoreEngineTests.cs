using Gdpr.Encryption;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Tests.Keys;

/// <summary>The engine end to end on the EF key store: several "processes", shredding, KEK rotation.</summary>
public abstract class EfCoreKeyStoreEngineTests
{
    private const string Scope = "default";
    private const string TaxScope = "tax-7y";

    protected abstract Action<DbContextOptionsBuilder> Database { get; }

    protected abstract string KeyRingDirectory { get; }

    [SkippableFact]
    public async Task FirstWrites_FromSeveralProcessesAtOnce_ConvergeOnOneKeyAndEveryValueReads()
    {
        var database = Database;
        var subjectId = TestHosts.NewSubjectId();
        var processes = Enumerable.Range(0, 6).Select(_ => TestHosts.Build(database, KeyRingDirectory)).ToList();
        try
        {
            using var start = new ManualResetEventSlim();
            var writers = processes.Select((process, p) => Task.Run(async () =>
            {
                var encryptor = process.GetRequiredService<IFieldEncryptor>();
                start.Wait();
                var written = new List<(FieldAddress Field, string Value, byte[] Envelope)>();
                for (var i = 0; i < 5; i++)
                {
                    var field = new FieldAddress(subjectId, Scope, $"Conversation.Note{p}_{i}");
                    var value = $"note {p}/{i}";
                    written.Add((field, value, await encryptor.EncryptValueAsync(field, value)));
                }

                return written;
            })).ToList();
            start.Set();
            var envelopes = (await Task.WhenAll(writers)).SelectMany(w => w).ToList();

            // A process that starts afterwards reads every value: none was written under a key the store lost.
            await using var reader = TestHosts.Build(database, KeyRingDirectory);
            var decryptor = reader.GetRequiredService<IFieldEncryptor>();
            foreach (var (field, value, envelope) in envelopes)
            {
                Assert.Equal(value, (await decryptor.DecryptValueAsync<string>(field, envelope)).Value);
            }

            var keys = reader.GetRequiredService<ISubjectKeyManager>();
            var state = await reader.GetRequiredService<ISubjectKeyStore>().GetStateAsync(keys.GetPseudonym(subjectId), Scope);
            Assert.Equal(1, state.Key!.Version);
        }
        finally
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync();
            }
        }
    }

    [SkippableFact]
    public async Task Engine_ShredThenRotateKek_ErasesOneScopeAndKeepsTheRestReadable_Art17()
    {
        var database = Database;
        var alice = TestHosts.NewSubjectId();
        var bob = TestHosts.NewSubjectId();
        var values = new Dictionary<FieldAddress, byte[]>();
        KeyRotationResult rotation;
        string oldKek;
        await using (var services = TestHosts.Build(database, KeyRingDirectory))
        {
            var encryptor = services.GetRequiredService<IFieldEncryptor>();
            var keys = services.GetRequiredService<ISubjectKeyManager>();
            var store = services.GetRequiredService<ISubjectKeyStore>();
            foreach (var subject in new[] { alice, bob })
            {
                foreach (var scope in new[] { Scope, TaxScope })
                {
                    var field = new FieldAddress(subject, scope, "Customer.Email");
                    values[field] = await encryptor.EncryptValueAsync(field, Expected(field));
                }
            }

            oldKek = (await store.GetStateAsync(keys.GetPseudonym(alice), Scope)).Key!.KeyEncryptionKeyId;
            var tombstone = await keys.ShredAsync(alice, Scope);

            Assert.Equal(1, tombstone!.Version);
            Assert.True((await encryptor.DecryptValueAsync<string>(new FieldAddress(alice, Scope, "Customer.Email"), values[new FieldAddress(alice, Scope, "Customer.Email")])).IsErased);
            Assert.Equal(new[] { TaxScope }, await ToListAsync(keys.GetScopesAsync(alice)));

            rotation = await keys.RotateKeyEncryptionKeyAsync();

            Assert.Contains(oldKek, rotation.RetiredKeyIds);
            Assert.True(rotation.RewrappedKeys >= 3);
            Assert.Empty(await ToListAsync(store.GetKeysWrappedWithAsync(oldKek)));
        }

        // A restarted process (empty cache, the rotated key ring) reads what was not erased, and only that.
        await using (var restarted = TestHosts.Build(database, KeyRingDirectory))
        {
            var encryptor = restarted.GetRequiredService<IFieldEncryptor>();
            foreach (var (field, envelope) in values)
            {
                var read = await encryptor.DecryptValueAsync<string>(field, envelope);
                if (field.SubjectId == alice && field.Scope == Scope)
                {
                    Assert.True(read.IsErased);
                }
                else
                {
                    Assert.Equal(Expected(field), read.Value);
                }
            }

            var store = restarted.GetRequiredService<ISubjectKeyStore>();
            var state = await store.GetStateAsync(restarted.GetRequiredService<ISubjectKeyManager>().GetPseudonym(bob), Scope);
            Assert.Equal(rotation.NewKeyId, state.Key!.KeyEncryptionKeyId);

            using var db = restarted.GetRequiredService<IDbContextFactory<GdprKeyStoreDbContext>>().CreateDbContext();
            var recorded = await db.Set<KeyEncryptionKeyRow>().ToDictionaryAsync(k => k.KeyEncryptionKeyId);

            // The KEK metadata is the evidence for backups: keys wrapped under a retired KEK are dead everywhere.
            Assert.NotNull(recorded[oldKek].RetiredAtUtcTicks);
            Assert.Null(recorded[rotation.NewKeyId].RetiredAtUtcTicks);
        }
    }

    private static string Expected(FieldAddress field) => $"{field.SubjectId}@{field.Scope}.example.org";

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}

public sealed class SqliteEfCoreKeyStoreEngineTests : EfCoreKeyStoreEngineTests, IDisposable
{
    private readonly SqliteKeyStoreDatabase _database = new();

    protected override Action<DbContextOptionsBuilder> Database => _database.Configure;

    protected override string KeyRingDirectory => _database.KeyRingDirectory;

    public void Dispose() => _database.Dispose();
}

public sealed class PostgresEfCoreKeyStoreEngineTests(PostgresKeyStoreDatabase database)
    : EfCoreKeyStoreEngineTests, IClassFixture<PostgresKeyStoreDatabase>
{
    protected override Action<DbContextOptionsBuilder> Database
    {
        get
        {
            var connectionString = database.ConnectionString; // skips when PostgreSQL is not configured
            return o => o.UseNpgsql(connectionString);
        }
    }

    protected override string KeyRingDirectory => database.KeyRingDirectory;
}
