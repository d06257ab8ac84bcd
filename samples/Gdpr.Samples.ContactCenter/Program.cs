using System.CommandLine;
using Gdpr;
using Gdpr.Samples.ContactCenter;

// dotnet run --project samples/Gdpr.Samples.ContactCenter -- <verb> [options]
// Every verb takes --db PATH; bad input gives one line on stderr and a non-zero exit code, never a stack trace.

var db = new Option<string>("--db") { Description = "The SQLite database file (keys live in a folder beside it).", DefaultValueFactory = _ => "contact-center.db", Recursive = true };
var subject = new Option<string>("--subject") { Description = "The customer number (data subject id).", Required = true };
var output = new Option<FileInfo>("--out") { Description = "The file to write.", Required = true };

var root = new RootCommand("A contact center on SQLite, showing the Gdpr SDK: annotated entities stored encrypted, export, erasure with retention, signed proof.");
root.Options.Add(db);

var demo = new Command("demo", "Seed customers, show ciphertext at rest, export one, erase them, show what is retained, print and verify the certificate. The default verb.");
root.Subcommands.Add(demo);

var customers = new Option<int>("--customers") { Description = "How many customers to create.", DefaultValueFactory = _ => 10 };
var seed = new Command("seed", "Create customers with chats, calls, invoices and interest profiles.") { customers };
root.Subcommands.Add(seed);

var subjects = new Command("subjects", "List the customer numbers in the database, one per line.");
root.Subcommands.Add(subjects);

var export = new Command("export", "Export one customer's data (Art. 15/20): JSON, CSV or ZIP by the file's extension.") { subject, output };
root.Subcommands.Add(export);

var certificateOut = new Option<FileInfo>("--certificate") { Description = "Where to write the signed erasure certificate.", Required = true };
var erase = new Command("erase", "Erase one customer (Art. 17), keeping what the law requires, and write the signed certificate.") { subject, certificateOut };
root.Subcommands.Add(erase);

var certificateIn = new Option<FileInfo>("--certificate") { Description = "The erasure certificate to verify.", Required = true };
var publicKeyIn = new Option<FileInfo>("--public-key") { Description = "The signing public key (PEM).", Required = true };
var verify = new Command("verify", "Verify an erasure certificate against a public key.") { certificateIn, publicKeyIn };
root.Subcommands.Add(verify);

var publicKey = new Command("public-key", "Write the certificate-signing public key (PEM, SubjectPublicKeyInfo).") { output };
root.Subcommands.Add(publicKey);

var now = new Option<string?>("--now") { Description = "Run as of this date (yyyy-MM-dd), to see what retention destroys then." };
var sweep = new Command("sweep", "Run the retention sweeper: destroy every scope whose retention has ended.") { now };
root.Subcommands.Add(sweep);

var rotate = new Command("rotate-kek", "Rotate the key-encryption key: rewrap every live key, retire the old KEK.");
root.Subcommands.Add(rotate);

demo.SetAction((r, ct) => Run(r, app => app.DemoAsync(ct)));
root.SetAction((r, ct) => Run(r, app => app.DemoAsync(ct)));
seed.SetAction((r, ct) => Run(r, app => app.SeedAsync(r.GetValue(customers), ct)));
subjects.SetAction((r, ct) => Run(r, app => app.ListSubjectsAsync(ct)));
export.SetAction((r, ct) => Run(r, app => app.ExportAsync(r.GetValue(subject)!, r.GetValue(output)!, ct)));
erase.SetAction((r, ct) => Run(r, app => app.EraseAsync(r.GetValue(subject)!, r.GetValue(certificateOut)!, ct)));
verify.SetAction((r, ct) => Run(r, app => app.VerifyAsync(r.GetValue(certificateIn)!, r.GetValue(publicKeyIn)!, ct)));
publicKey.SetAction((r, ct) => Run(r, app => app.WritePublicKeyAsync(r.GetValue(output)!, ct)));
sweep.SetAction((r, ct) => Run(r, app => app.SweepAsync(ParseDate(r.GetValue(now)), ct)));
rotate.SetAction((r, ct) => Run(r, app => app.RotateKeyEncryptionKeyAsync(ct)));

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line, not the parser's page of help: scripts read stderr.
    Console.Error.WriteLine($"error: {parsed.Errors[0].Message} (see --help)");
    return 2;
}

return await parsed.InvokeAsync();

async Task<int> Run(ParseResult result, Func<ContactCenterApp, Task<int>> verb)
{
    try
    {
        await using var app = await ContactCenterApp.OpenAsync(result.GetValue(db)!, Console.Out);
        return await verb(app);
    }
    catch (SampleInputException ex)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        return 2;
    }
    catch (GdprException ex)
    {
        // SDK errors name entities, members and pseudonyms, never personal data: safe to print.
        Console.Error.WriteLine($"error: {ex.Message}");
        return 3;
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        return 4;
    }
}

static DateTimeOffset? ParseDate(string? text)
{
    if (text is null)
    {
        return null;
    }

    return DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date)
        ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
        : throw new SampleInputException($"'{text}' is not a date; use yyyy-MM-dd.");
}
