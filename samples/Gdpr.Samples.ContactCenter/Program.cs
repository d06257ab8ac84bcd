using System.CommandLine;
using Gdpr.Samples.ContactCenter;

// dotnet run --project samples/Gdpr.Samples.ContactCenter -- <verb> [options]
// Every verb takes --db PATH; an error is one line on stderr with its exit code (ExitCodes.cs), never a stack trace.
// Only seed and demo create a database and keys (legacy-seed a legacy database without keys, whose keys migrate
// creates); every other verb needs them to be there.

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

var missingNumbers = new Option<int>("--missing-numbers") { Description = "How many of the customers have no customer number in any of their rows (migrate refuses those rows until they get one).", DefaultValueFactory = _ => 3 };
var legacySeed = new Command("legacy-seed", "Create a new database as the contact center had it before the SDK: plaintext columns, no SDK tables, no keys (for 'migrate').") { customers, missingNumbers };
root.Subcommands.Add(legacySeed);

var batchSize = new Option<int>("--batch-size") { Description = "Rows per transaction of the encryption pass.", DefaultValueFactory = _ => 500 };
var migrate = new Command("migrate", "Take a legacy database under the SDK (docs/migrations.md): keep its plaintext columns, encrypt them with a progress bar, verify, drop them, clean up the file, report. Stopped at any point, it continues where it was.") { batchSize };
root.Subcommands.Add(migrate);

var subjects = new Command("subjects", "List the customer numbers in the database, one per line; an erased customer is marked 'erased'.");
root.Subcommands.Add(subjects);

var findPhone = new Option<string?>("--phone") { Description = "A phone number, in any notation (020 123 4567, +31 20 123 4567)." };
var findEmail = new Option<string?>("--email") { Description = "An e-mail address (case and spaces do not matter)." };
var find = new Command("find", "Find customers by phone number or e-mail address through the blind index (docs/search.md), without decrypting the table.") { findPhone, findEmail };
root.Subcommands.Add(find);

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

var now = new Option<string?>("--now") { Description = "Preview as of this date (yyyy-MM-dd), to see what retention destroys then. Not with --apply: destruction is dated by the real clock." };
var apply = new Option<bool>("--apply") { Description = "Destroy what is due now. Without it, sweep only shows what it would destroy." };
var sweep = new Command("sweep", "Show every scope whose retention has ended (what the retention sweeper would destroy); with --apply, destroy them.") { now, apply };
root.Subcommands.Add(sweep);

var rotate = new Command("rotate-kek", "Rotate the key-encryption key: rewrap every live key, retire the old KEK.");
root.Subcommands.Add(rotate);

// Data-subject requests (docs/requests.md): received, verified, executed and closed within the month of Art. 12(3).
var requestId = new Option<string>("--request") { Description = "The request's id (dsr-..., printed by request-submit and request-list).", Required = true };
var rights = new Option<string>("--rights") { Description = "The rights asked for, comma-separated: access, rectification, erasure, restriction, portability, objection:PURPOSE (e.g. objection:direct-marketing), consent-withdrawal.", Required = true };
var channel = new Option<string>("--channel") { Description = "How it came in: web-form, email, phone, chat, letter, in-person.", DefaultValueFactory = _ => "phone" };
var received = new Option<string?>("--received") { Description = "The date it was received (yyyy-MM-dd), when not today: the period counts from receipt." };
var requesterName = new Option<string?>("--name") { Description = "The requester's name (kept encrypted)." };
var requesterEmail = new Option<string?>("--email") { Description = "The requester's e-mail address (kept encrypted)." };
var requesterPhone = new Option<string?>("--phone") { Description = "The requester's phone number (kept encrypted)." };
var requesterAddress = new Option<string?>("--address") { Description = "The requester's postal address (kept encrypted)." };
var intakeAgent = new Option<string?>("--agent") { Description = "The agent who took the request in." };
var requestSubmit = new Command("request-submit", "Receive a data-subject request (Art. 12): prints its id and its last day.") { subject, rights, channel, received, requesterName, requesterEmail, requesterPhone, requesterAddress, intakeAgent };
root.Subcommands.Add(requestSubmit);

var attestingAgent = new Option<string>("--agent") { Description = "The agent who checked the requester's identity.", Required = true };
var method = new Option<string>("--method") { Description = "How, free of personal data, e.g. 'customer number and date of birth confirmed by phone'.", Required = true };
var requestVerify = new Command("request-verify", "Record an agent's attestation of the requester's identity (Art. 12(6)).") { requestId, attestingAgent, method };
root.Subcommands.Add(requestVerify);

var requestList = new Command("request-list", "List the open requests, overdue first, with the days left to each one's last day.");
root.Subcommands.Add(requestList);

var reasons = new Option<string>("--reasons") { Description = "The reasons for the delay, as told to the subject (Art. 12(3)).", Required = true };
var requestExtend = new Command("request-extend", "Extend a request's period by two months, within its first month (Art. 12(3)).") { requestId, reasons };
root.Subcommands.Add(requestExtend);

var requestComplete = new Command("request-complete", "Start a verified request and carry out its rights: access and portability exports, erasure with its certificate, objection to direct marketing.") { requestId };
root.Subcommands.Add(requestComplete);

var ground = new Option<string>("--ground") { Description = "unfounded or excessive (Art. 12(5)(b)).", Required = true };
var refusalReason = new Option<string>("--reason") { Description = "The reason the controller can show.", Required = true };
var toldOfRemedies = new Option<bool>("--told-complaint-and-remedy") { Description = "The subject was told of the right to complain to the supervisory authority and to a judicial remedy (Art. 12(4)); required." };
var requestRefuse = new Command("request-refuse", "Refuse a manifestly unfounded or excessive request, within its first month (Art. 12(4), 12(5)(b)).") { requestId, ground, refusalReason, toldOfRemedies };
root.Subcommands.Add(requestRefuse);

// Only demo and seed create the database and its keys; a mistyped --db elsewhere says "no database at ...".
demo.SetAction((r, ct) => Run(r, create: true, app => app.DemoAsync(ct)));
root.SetAction((r, ct) => Run(r, create: true, app => app.DemoAsync(ct)));
seed.SetAction((r, ct) => Run(r, create: true, app => app.SeedAsync(r.GetValue(customers), ct)));
legacySeed.SetAction((r, ct) => Guarded(r, () => LegacySeed.RunAsync(r.GetValue(db)!, r.GetValue(customers), r.GetValue(missingNumbers), Console.Out, TimeProvider.System, ct)));
migrate.SetAction((r, ct) => Guarded(r, () => LegacyMigration.RunAsync(r.GetValue(db)!, r.GetValue(batchSize), Console.Out, interactive: !Console.IsOutputRedirected, ct)));
subjects.SetAction((r, ct) => Run(r, create: false, app => app.ListSubjectsAsync(ct)));
find.SetAction((r, ct) => Run(r, create: false, app => app.FindAsync(r.GetValue(findPhone), r.GetValue(findEmail), ct)));
export.SetAction((r, ct) => Run(r, create: false, app => app.ExportAsync(r.GetValue(subject)!, r.GetValue(output)!, ct)));
erase.SetAction((r, ct) => Run(r, create: false, app => app.EraseAsync(r.GetValue(subject)!, r.GetValue(certificateOut)!, ct)));
// verify needs no database at all: a certificate, its signature and a public key.
verify.SetAction((r, ct) => Guarded(r, () => ContactCenterApp.VerifyAsync(r.GetValue(certificateIn)!, r.GetValue(publicKeyIn)!, Console.Out, ct)));
publicKey.SetAction((r, ct) => Run(r, create: false, app => app.WritePublicKeyAsync(r.GetValue(output)!, ct)));
sweep.SetAction((r, ct) => Run(r, create: false, app => Sweep(app, r, ct)));
rotate.SetAction((r, ct) => Run(r, create: false, app => app.RotateKeyEncryptionKeyAsync(ct)));
requestSubmit.SetAction((r, ct) => Run(r, create: false, app => app.SubmitRequestAsync(
    r.GetValue(subject)!,
    r.GetValue(rights)!,
    r.GetValue(channel)!,
    r.GetValue(received),
    new Gdpr.Requests.RequesterContact(r.GetValue(requesterName), r.GetValue(requesterEmail), r.GetValue(requesterPhone), r.GetValue(requesterAddress)),
    r.GetValue(intakeAgent),
    ct)));
requestVerify.SetAction((r, ct) => Run(r, create: false, app => app.VerifyRequestAsync(r.GetValue(requestId)!, r.GetValue(attestingAgent)!, r.GetValue(method)!, ct)));
requestList.SetAction((r, ct) => Run(r, create: false, app => app.ListRequestsAsync(ct)));
requestExtend.SetAction((r, ct) => Run(r, create: false, app => app.ExtendRequestAsync(r.GetValue(requestId)!, r.GetValue(reasons)!, ct)));
requestComplete.SetAction((r, ct) => Run(r, create: false, app => app.CompleteRequestAsync(r.GetValue(requestId)!, ct)));
requestRefuse.SetAction((r, ct) => Run(r, create: false, app => app.RefuseRequestAsync(r.GetValue(requestId)!, r.GetValue(ground)!, r.GetValue(refusalReason)!, r.GetValue(toldOfRemedies), ct)));

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line, not the parser's page of help: scripts read stderr.
    Console.Error.WriteLine($"error: {parsed.Errors[0].Message} (see --help)");
    return ExitCodes.Usage;
}

if (parsed.Action is System.CommandLine.Help.HelpAction)
{
    var helped = await parsed.InvokeAsync();
    Console.Out.WriteLine(ExitCodes.HelpText);
    return helped;
}

return await parsed.InvokeAsync();

Task<int> Run(ParseResult result, bool create, Func<ContactCenterApp, Task<int>> verb) => Guarded(result, async () =>
{
    await using var app = await ContactCenterApp.OpenAsync(result.GetValue(db)!, Console.Out, create: create);
    return await verb(app);
});

async Task<int> Guarded(ParseResult result, Func<Task<int>> verb)
{
    try
    {
        return await verb();
    }
    catch (Exception ex)
    {
        // Every error, including the database's and the file system's: one line and its own exit code.
        var (code, message) = ExitCodes.Describe(ex, result.GetValue(db)!);
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}

Task<int> Sweep(ContactCenterApp app, ParseResult result, CancellationToken cancellationToken)
{
    var asOf = ParseDate(result.GetValue(now));
    if (result.GetValue(apply))
    {
        // Destroying as of a date other than today would date the tombstones (and the audit) at that date.
        return asOf is null
            ? app.SweepAsync(cancellationToken)
            : throw new SampleInputException("--now only previews; --apply destroys as of the real clock (drop --now)");
    }

    return app.PreviewSweepAsync(asOf, cancellationToken);
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
