using Gdpr.Samples.ContactCenter.Model.Legacy;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Samples.ContactCenter;

/// <summary>The <c>legacy-seed</c> verb: the contact center's database as it was before the SDK, for <c>migrate</c>.</summary>
internal static class LegacySeed
{
    private const int CustomersPerSave = 1_000;

    /// <summary>
    /// Creates a new legacy database at <paramref name="databasePath"/>: the sample's tables with every value in plaintext
    /// columns, no SDK tables and no keys. <paramref name="missingNumbers"/> customers, spread over the range, have no
    /// customer number in any of their rows.
    /// </summary>
    public static async Task<int> RunAsync(string databasePath, int customers, int missingNumbers, TextWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        if (customers is < 1 or > 100_000)
        {
            throw new SampleInputException("--customers must be between 1 and 100000");
        }

        if (missingNumbers < 0 || missingNumbers > customers)
        {
            throw new SampleInputException("--missing-numbers must be between 0 and --customers");
        }

        var fullPath = Path.GetFullPath(databasePath);
        if (Directory.Exists(fullPath))
        {
            throw new SampleFileSystemException($"--db is a folder, not a database file: {fullPath}");
        }

        if (File.Exists(fullPath))
        {
            // Never add plaintext to a database that may already be (partly) under the SDK.
            throw new SampleInputException($"there is a database at {fullPath} already; legacy-seed creates a new one (choose another --db)");
        }

        if (!Directory.Exists(Path.GetDirectoryName(fullPath)))
        {
            throw new SampleInputException($"the folder of --db does not exist: {Path.GetDirectoryName(fullPath)}");
        }

        var unnumbered = Enumerable.Range(1, missingNumbers).Select(i => (int)((long)i * customers / (missingNumbers + 1)) + 1).ToHashSet();
        var now = time.GetUtcNow();
        await using var db = Open(fullPath);
        await db.Database.EnsureCreatedAsync(cancellationToken);
        for (var first = 1; first <= customers; first += CustomersPerSave)
        {
            for (var n = first; n < first + CustomersPerSave && n <= customers; n++)
            {
                AddCustomer(db, n, unnumbered.Contains(n) ? null : $"C-{n:D4}", now);
            }

            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        output.WriteLine($"Created a legacy database at {fullPath}, as before the SDK: plaintext columns, no SDK tables, no keys.");
        output.WriteLine($"{customers} customer(s), C-0001 to C-{customers:D4}, each with a chat, a call, an invoice and an interest profile; {unnumbered.Count} of them have no customer number in any row (migrate refuses those rows until they get one).");
        output.WriteLine($"Next: migrate --db {databasePath}");
        return ExitCodes.Success;
    }

    /// <summary>The legacy model on the file, without the SDK.</summary>
    internal static LegacyContactCenterDb Open(string fullPath)
        => new(new DbContextOptionsBuilder<LegacyContactCenterDb>().UseSqlite(ContactCenterApp.ConnectionString(fullPath)).Options);

    /// <summary>Customer <paramref name="n"/> and their rows; every row's id is <paramref name="n"/>, so the rows of a customer line up.</summary>
    private static void AddCustomer(LegacyContactCenterDb db, int n, string? number, DateTimeOffset now)
    {
        var fake = FakePerson.Create(n);
        db.Customers.Add(new LegacyCustomer { Id = n, CustomerNumber = number, FullName = fake.Name, Address = fake.Address, Phone = fake.Phone, Email = fake.Email, DateOfBirth = fake.DateOfBirth });
        db.ChatSessions.Add(new LegacyChatSession { Id = n, CustomerNumber = number, StartedAt = now.AddDays(-3), WebsiteCookieId = fake.CookieId, IpAddress = fake.IpAddress, Transcript = $"Visitor: Hello, this is {fake.Name}. Where is my order?\nAgent: Let me check that for you." });
        db.CallRecords.Add(new LegacyCallRecord { Id = n, CustomerNumber = number, CalledAt = now.AddDays(-2), DurationSeconds = 185, CallerNumber = fake.Phone, Recording = FakePerson.Recording(n) });
        db.Invoices.Add(new LegacyInvoice { Id = n, CustomerNumber = number, InvoiceNumber = $"INV-{n:D6}", InvoiceDate = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-10)), BilledName = fake.Name, BillingAddress = fake.Address, Amount = 19.95m + n });
        db.InterestProfiles.Add(new LegacyInterestProfile { Id = n, CustomerNumber = number, Interests = fake.Interests });
    }
}
