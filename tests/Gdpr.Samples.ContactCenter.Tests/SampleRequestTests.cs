using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gdpr.Requests;

namespace Gdpr.Samples.ContactCenter.Tests;

/// <summary>
/// The request verbs end to end, each as its own process on one SQLite file: a data-subject request received,
/// verified, executed and closed within its deadline (GDPR Art. 12(3)), and the clock's rules refusing what they refuse.
/// </summary>
public sealed partial class SampleRequestTests : IDisposable
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    private readonly string _folder = Directory.CreateTempSubdirectory("gdpr-sample-requests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Task<(int ExitCode, string Out, string Error)> Run(params string[] args) => SampleProcess.RunAsync(_folder, args);

    // Art. 12(3), 12(6), 15, 17, 21(3): received today, not executed before verification, then executed and closed
    // within the month; the access package and the erasure certificate are where the request says.
    [Fact]
    public async Task Request_ReceivedVerifiedExecutedAndClosed_WithinItsDeadline_Art12_3()
    {
        Assert.Equal(0, (await Run("seed", "--customers", "2")).ExitCode);
        var submitted = await Run("request-submit", "--subject", "C-0001", "--rights", "access,erasure,objection:direct-marketing", "--channel", "email", "--email", "jan@example.org", "--agent", "agent-7");
        Assert.True(submitted.ExitCode == 0, submitted.Error);
        var id = RequestId(submitted.Out);
        var due = new RequestClock(Amsterdam, new DutchHolidayCalendar()).GetDeadline(DateTimeOffset.UtcNow).Due;
        Assert.Contains($"due {Iso(due)}", submitted.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("jan@example.org", submitted.Out, StringComparison.Ordinal);

        var listed = await Run("request-list");
        var line = Assert.Single(Lines(listed.Out));
        Assert.StartsWith($"{id}  due {Iso(due)}", line, StringComparison.Ordinal);
        Assert.Contains("day(s) left", line, StringComparison.Ordinal);

        // Art. 12(6): nothing is carried out before the identity is verified.
        var early = await Run("request-complete", "--request", id);
        Assert.Equal(ExitCodes.Sdk, early.ExitCode);
        Assert.Contains(RequestRules.IdentityNotVerified, early.Error, StringComparison.Ordinal);

        var verified = await Run("request-verify", "--request", id, "--agent", "agent-7", "--method", "customer number and date of birth confirmed by phone");
        Assert.True(verified.ExitCode == 0, verified.Error);
        var completed = await Run("request-complete", "--request", id);
        Assert.True(completed.ExitCode == 0, completed.Error);
        Assert.Contains($"access                           completed  {id}-access.zip", completed.Out, StringComparison.Ordinal);
        Assert.Contains($"erasure                          completed  {id}-erasure-certificate.json", completed.Out, StringComparison.Ordinal);
        Assert.Matches(@"objection:direct-marketing\s+completed  audit:\d+", completed.Out);
        Assert.Contains($": Completed on {Iso(Today())}, within the deadline ({Iso(due)}).", completed.Out, StringComparison.Ordinal);

        // The package was exported before the erasure; the certificate verifies with the sample's public key.
        var packages = Path.Combine(_folder, "contact-center.db.packages");
        using (var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(packages, $"{id}-access.zip")))
        {
            Assert.Contains(zip.Entries, e => e.FullName == "manifest.json");
        }

        Assert.Equal(0, (await Run("public-key", "--out", "signing.pem")).ExitCode);
        var verify = await Run("verify", "--certificate", Path.Combine(packages, $"{id}-erasure-certificate.json"), "--public-key", "signing.pem");
        Assert.True(verify.ExitCode == 0, verify.Error);

        // Art. 17: the customer's erasable values read as erased now; the other customer is untouched.
        Assert.Equal(0, (await Run("export", "--subject", "C-0001", "--out", "after.json")).ExitCode);
        using (var after = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_folder, "after.json"))))
        {
            Assert.Contains(after.RootElement.GetProperty("values").EnumerateArray(), v => v.GetProperty("member").GetString() == "Email" && v.GetProperty("erased").GetBoolean());
        }

        Assert.Equal("No open requests.", Assert.Single(Lines((await Run("request-list")).Out)));

        // A closed request changes no more.
        var extend = await Run("request-extend", "--request", id, "--reasons", "many systems to search");
        Assert.Equal(ExitCodes.Sdk, extend.ExitCode);
        Assert.Contains(RequestRules.RequestClosed, extend.Error, StringComparison.Ordinal);
    }

    // Art. 12(3), 12(4), 12(5)(b): overdue requests come first; an extension only within the first month and only
    // once; a refusal only with the notice of the right to complain and to a judicial remedy.
    [Fact]
    public async Task RequestList_OverdueFirst_AndExtensionAndRefusalFollowTheirRules_Art12()
    {
        Assert.Equal(0, (await Run("seed", "--customers", "2")).ExitCode);
        var today = Today();
        var old = RequestId((await Run("request-submit", "--subject", "C-0001", "--rights", "access", "--received", Iso(today.AddMonths(-2)), "--name", "J. Jansen")).Out);
        var fresh = RequestId((await Run("request-submit", "--subject", "C-0002", "--rights", "portability", "--phone", "+31 6 1234 5678")).Out);

        var lines = Lines((await Run("request-list")).Out);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(old, lines[0], StringComparison.Ordinal);
        Assert.Contains("OVERDUE", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(fresh, lines[1], StringComparison.Ordinal);

        var late = await Run("request-extend", "--request", old, "--reasons", "many systems to search");
        Assert.Equal(ExitCodes.Sdk, late.ExitCode);
        Assert.Contains(RequestRules.ExtensionWithinFirstMonth, late.Error, StringComparison.Ordinal);

        var extended = await Run("request-extend", "--request", fresh, "--reasons", "many systems to search");
        Assert.True(extended.ExitCode == 0, extended.Error);
        var extendedDue = new RequestClock(Amsterdam, new DutchHolidayCalendar()).GetDeadline(DateTimeOffset.UtcNow).ExtendedDue;
        Assert.Contains($"extended to {Iso(extendedDue)}", extended.Out, StringComparison.Ordinal);
        Assert.Contains($"{fresh}  due {Iso(extendedDue)} (extended)", (await Run("request-list")).Out, StringComparison.Ordinal);
        Assert.Contains(RequestRules.ExtensionOnce, (await Run("request-extend", "--request", fresh, "--reasons", "again")).Error, StringComparison.Ordinal);

        var untold = await Run("request-refuse", "--request", fresh, "--ground", "excessive", "--reason", "the fifth identical request this month");
        Assert.Equal(ExitCodes.Sdk, untold.ExitCode);
        Assert.Contains(RequestRules.RefusalNeedsComplaintNotice, untold.Error, StringComparison.Ordinal);
        var refused = await Run("request-refuse", "--request", fresh, "--ground", "excessive", "--reason", "the fifth identical request this month", "--told-complaint-and-remedy");
        Assert.True(refused.ExitCode == 0, refused.Error);
        Assert.StartsWith(old, Assert.Single(Lines((await Run("request-list")).Out)), StringComparison.Ordinal);

        // Bad input: an unknown request id is a usage error; an objection must name its purpose; no future receipt.
        Assert.Equal(ExitCodes.Usage, (await Run("request-complete", "--request", "dsr-00000000000000000000000000000000")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await Run("request-submit", "--subject", "C-0001", "--rights", "objection", "--name", "J")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await Run("request-submit", "--subject", "C-0001", "--rights", "access", "--name", "J", "--received", Iso(today.AddDays(2)))).ExitCode);
    }

    private static DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Amsterdam).DateTime);

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string RequestId(string output) => RequestIdPattern().Match(output) is { Success: true } m ? m.Value : throw new Xunit.Sdk.XunitException("no request id in: " + output);

    [GeneratedRegex("dsr-[0-9a-f]{32}")]
    private static partial Regex RequestIdPattern();
}
