using Gdpr.Encryption.Infrastructure;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Gdpr.Encryption;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Benchmarks;

/// <summary>
/// The design question behind the EF Core adapter's layout: what does reading cost with one envelope per member in
/// a column of its own, with the same envelopes packed into one column, and with one envelope per row and retention
/// scope (what the adapter stores)? The same 10,000 contacts (1,000 subjects, four personal values each) are stored four ways on SQLite and
/// read with EF Core (no tracking), decrypting with the engine's span API after the query: plaintext (the
/// baseline), four envelope columns, four envelopes in one column, and one envelope holding the four values
/// length-prefixed.
/// </summary>
/// <remarks>Run: dotnet run -c Release --project benchmarks/Gdpr.Benchmarks -- --filter '*EnvelopeLayoutBenchmarks*'</remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 80, iterationCount: 30)]
public class EnvelopeLayoutBenchmarks
{
    private const int Rows = 10_000;
    private const int Subjects = 1_000;
    private const string Scope = "default";

    // As in EfCoreBenchmarks: several reads per iteration spread the garbage collections evenly.
    private const int ReadsPerInvocation = 8;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gdpr-layout-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider _services = null!;
    private ISpanFieldEncryptor _encryptor = null!;
    private DbContextOptions<LayoutContext> _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_directory);
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = RandomNumberGenerator.GetBytes(32)).UseInMemoryStores();
        _services = services.BuildServiceProvider();
        _encryptor = _services.GetRequiredService<ISpanFieldEncryptor>();
        _options = new DbContextOptionsBuilder<LayoutContext>().UseSqlite("Data Source=" + Path.Combine(_directory, "layout.db")).Options;

        using var context = new LayoutContext(_options);
        context.Database.EnsureCreated();
        context.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        for (var i = 0; i < Rows; i++)
        {
            var subject = $"C{i % Subjects:D5}";
            var (email, name, phone, birth) = ($"customer{i}@example.org", $"Customer Number {i}", $"+31 6 {i:D8}", new DateOnly(1980, 1, 1).AddDays(i % 9000));
            context.Plain.Add(new PlainRow { Subject = subject, Email = email, Name = name, Phone = phone, BirthDate = birth, Country = "NL" });
            context.PerMember.Add(new PerMemberRow
            {
                CustomerNumber = subject,
                Email = Encrypt(subject, "Contact.Email", Encoding.UTF8.GetBytes(email)),
                Name = Encrypt(subject, "Contact.Name", Encoding.UTF8.GetBytes(name)),
                Phone = Encrypt(subject, "Contact.Phone", Encoding.UTF8.GetBytes(phone)),
                BirthDate = Encrypt(subject, "Contact.BirthDate", PersonalDataValueCodec.ToBytes(birth)),
                Country = "NL",
            });
            context.PerRow.Add(new PerRowRow { Subject = subject, Personal = Encrypt(subject, "Contact#default", Record(email, name, phone, birth)), Country = "NL" });
            context.Packed.Add(new PackedRow
            {
                Subject = subject,
                Personal = Record(
                    Encrypt(subject, "Contact.Email", Encoding.UTF8.GetBytes(email)),
                    Encrypt(subject, "Contact.Name", Encoding.UTF8.GetBytes(name)),
                    Encrypt(subject, "Contact.Phone", Encoding.UTF8.GetBytes(phone)),
                    Encrypt(subject, "Contact.BirthDate", PersonalDataValueCodec.ToBytes(birth))),
                Country = "NL",
            });
        }

        context.SaveChanges();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ReadsPerInvocation, Description = "Plaintext columns")]
    public async Task<int> Plain()
    {
        var count = 0;
        for (var i = 0; i < ReadsPerInvocation; i++)
        {
            count += await ReadPlainOnce();
        }

        return count;
    }

    private async Task<int> ReadPlainOnce()
    {
        await using var context = new LayoutContext(_options);
        var rows = await context.Plain.AsNoTracking().ToListAsync();
        return rows.Count;
    }

    [Benchmark(OperationsPerInvoke = ReadsPerInvocation, Description = "One envelope per member (4 per row)")]
    public async Task<int> PerMember()
    {
        var count = 0;
        for (var i = 0; i < ReadsPerInvocation; i++)
        {
            count += await ReadPerMemberOnce();
        }

        return count;
    }

    private async Task<int> ReadPerMemberOnce()
    {
        await using var context = new LayoutContext(_options);
        var rows = await context.PerMember.AsNoTracking().ToListAsync();
        var contacts = new List<PlainRow>(rows.Count);
        Span<byte> buffer = stackalloc byte[256];
        foreach (var row in rows)
        {
            contacts.Add(new PlainRow
            {
                Id = row.Id,
                Subject = row.CustomerNumber,
                Email = Encoding.UTF8.GetString(Decrypt(row.CustomerNumber, "Contact.Email", row.Email, buffer)),
                Name = Encoding.UTF8.GetString(Decrypt(row.CustomerNumber, "Contact.Name", row.Name, buffer)),
                Phone = Encoding.UTF8.GetString(Decrypt(row.CustomerNumber, "Contact.Phone", row.Phone, buffer)),
                BirthDate = PersonalDataValueCodec.FromBytes<DateOnly>(Decrypt(row.CustomerNumber, "Contact.BirthDate", row.BirthDate, buffer)),
                Country = row.Country,
            });
        }

        return contacts.Count;
    }

    [Benchmark(OperationsPerInvoke = ReadsPerInvocation, Description = "One envelope per row (4 values inside)")]
    public async Task<int> PerRow()
    {
        var count = 0;
        for (var i = 0; i < ReadsPerInvocation; i++)
        {
            count += await ReadPerRowOnce();
        }

        return count;
    }

    private async Task<int> ReadPerRowOnce()
    {
        await using var context = new LayoutContext(_options);
        var rows = await context.PerRow.AsNoTracking().ToListAsync();
        var contacts = new List<PlainRow>(rows.Count);
        Span<byte> buffer = stackalloc byte[256];
        foreach (var row in rows)
        {
            ReadOnlySpan<byte> record = Decrypt(row.Subject, "Contact#default", row.Personal, buffer);
            contacts.Add(new PlainRow
            {
                Id = row.Id,
                Subject = row.Subject,
                Email = Encoding.UTF8.GetString(Next(ref record)),
                Name = Encoding.UTF8.GetString(Next(ref record)),
                Phone = Encoding.UTF8.GetString(Next(ref record)),
                BirthDate = PersonalDataValueCodec.FromBytes<DateOnly>(Next(ref record)),
                Country = row.Country,
            });
        }

        return contacts.Count;
    }

    [Benchmark(OperationsPerInvoke = ReadsPerInvocation, Description = "One envelope per member, all in one column")]
    public async Task<int> PackedPerMember()
    {
        var count = 0;
        for (var i = 0; i < ReadsPerInvocation; i++)
        {
            count += await ReadPackedOnce();
        }

        return count;
    }

    private async Task<int> ReadPackedOnce()
    {
        await using var context = new LayoutContext(_options);
        var rows = await context.Packed.AsNoTracking().ToListAsync();
        var contacts = new List<PlainRow>(rows.Count);
        Span<byte> buffer = stackalloc byte[256];
        foreach (var row in rows)
        {
            ReadOnlySpan<byte> packed = row.Personal;
            contacts.Add(new PlainRow
            {
                Id = row.Id,
                Subject = row.Subject,
                Email = Encoding.UTF8.GetString(Decrypt(row.Subject, "Contact.Email", Next(ref packed), buffer)),
                Name = Encoding.UTF8.GetString(Decrypt(row.Subject, "Contact.Name", Next(ref packed), buffer)),
                Phone = Encoding.UTF8.GetString(Decrypt(row.Subject, "Contact.Phone", Next(ref packed), buffer)),
                BirthDate = PersonalDataValueCodec.FromBytes<DateOnly>(Decrypt(row.Subject, "Contact.BirthDate", Next(ref packed), buffer)),
                Country = row.Country,
            });
        }

        return contacts.Count;
    }

    private static byte[] Record(params object[] values)
    {
        var parts = values.Select(v => v switch { string s => Encoding.UTF8.GetBytes(s), byte[] b => b, _ => PersonalDataValueCodec.ToBytes(v) }).ToList();
        var record = new byte[parts.Sum(p => 2 + p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(at), (ushort)part.Length);
            part.CopyTo(record, at + 2);
            at += 2 + part.Length;
        }

        return record;
    }

    private static ReadOnlySpan<byte> Next(ref ReadOnlySpan<byte> record)
    {
        var length = BinaryPrimitives.ReadUInt16LittleEndian(record);
        var value = record.Slice(2, length);
        record = record[(2 + length)..];
        return value;
    }

    private byte[] Encrypt(string subject, string field, byte[] plaintext)
        => _encryptor.EncryptAsync(new FieldAddress(subject, Scope, field), plaintext).AsTask().GetAwaiter().GetResult();

    private ReadOnlySpan<byte> Decrypt(string subject, string field, ReadOnlySpan<byte> envelope, Span<byte> buffer)
    {
        var status = _encryptor.TryDecrypt(new FieldAddress(subject, Scope, field), envelope, buffer, out var written);
        return status == FieldReadStatus.Decrypted ? buffer[..written] : throw new InvalidOperationException($"Unexpected {status}.");
    }

    public sealed class PlainRow
    {
        public int Id { get; set; }

        public string Subject { get; set; } = "";

        public string Email { get; set; } = "";

        public string Name { get; set; } = "";

        public string Phone { get; set; } = "";

        public DateOnly BirthDate { get; set; }

        public string Country { get; set; } = "";
    }

    /// <summary>One envelope column per member: the adapter's layout before the personal-data column.</summary>
    public sealed class PerMemberRow
    {
        public int Id { get; set; }

        public string CustomerNumber { get; set; } = "";

        public byte[] Email { get; set; } = [];

        public byte[] Name { get; set; } = [];

        public byte[] Phone { get; set; } = [];

        public byte[] BirthDate { get; set; } = [];

        public string Country { get; set; } = "";
    }

    public sealed class PerRowRow
    {
        public int Id { get; set; }

        public string Subject { get; set; } = "";

        public byte[] Personal { get; set; } = [];

        public string Country { get; set; } = "";
    }

    public sealed class PackedRow
    {
        public int Id { get; set; }

        public string Subject { get; set; } = "";

        public byte[] Personal { get; set; } = [];

        public string Country { get; set; } = "";
    }

    public sealed class LayoutContext(DbContextOptions<LayoutContext> options) : DbContext(options)
    {
        public DbSet<PlainRow> Plain => Set<PlainRow>();

        public DbSet<PerMemberRow> PerMember => Set<PerMemberRow>();

        public DbSet<PerRowRow> PerRow => Set<PerRowRow>();

        public DbSet<PackedRow> Packed => Set<PackedRow>();
    }
}
