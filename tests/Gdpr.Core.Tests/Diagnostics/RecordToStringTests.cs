using Gdpr.Audit;
using Gdpr.DataSources;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Retention;

namespace Gdpr.Core.Tests.Diagnostics;

/// <summary>
/// The records' ToString() shows what their collections hold (a log line or a debugger shows the outcome, not
/// "System.String[]"), prints every member (one added later too), and never prints a subject id or a value.
/// </summary>
public class RecordToStringTests
{
    private static readonly SubjectPseudonym Pseudonym = new("PSEUDONYM-1");

    public static TheoryData<object> Records => new()
    {
        new KeyRotationResult("kek-3", ["kek-1", "kek-2"], 12),
        new DataSourceErasureRequest(new HashSet<string> { "default", "marketing" }, new HashSet<string> { "tax" }),
        new RetentionSweepReport(DateTimeOffset.UnixEpoch, 1, 0, 0, 1, 1) { FailureTypes = ["TimeoutException"] },
        new AuditEvent(AuditKinds.ErasureCompleted, Pseudonym, new Dictionary<string, string> { ["scope"] = "marketing" }),
        new AuditEntry(7, DateTimeOffset.UnixEpoch, AuditKinds.ErasureCompleted, Pseudonym, new Dictionary<string, string> { ["scope"] = "marketing" }, "prev-hash", "this-hash"),
        Erasure(),
        Item(),
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void ToString_NamesEveryPublicMember(object record)
    {
        var text = record.ToString()!;

        foreach (var property in record.GetType().GetProperties())
        {
            Assert.Contains(property.Name + " = ", text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("System.Collections", text, StringComparison.Ordinal);
        Assert.DoesNotContain("[]`", text, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyRotationResult_ToString_ListsTheRetiredKeys()
        => Assert.Contains("RetiredKeyIds = [kek-1, kek-2]", new KeyRotationResult("kek-3", ["kek-1", "kek-2"], 12).ToString(), StringComparison.Ordinal);

    [Fact]
    public void DataSourceErasureRequest_ToString_ListsBothScopeSets()
    {
        var text = new DataSourceErasureRequest(new HashSet<string> { "marketing" }, new HashSet<string> { "tax" }).ToString();

        Assert.Contains("DestroyedScopes = [marketing]", text, StringComparison.Ordinal);
        Assert.Contains("RetainedScopes = [tax]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditEvent_ToString_ListsTheDetails()
        => Assert.Contains("Details = { scope = marketing }", new AuditEvent(AuditKinds.KeyShredded, Pseudonym, new Dictionary<string, string> { ["scope"] = "marketing" }).ToString(), StringComparison.Ordinal);

    [Fact]
    public void ErasureResult_ToString_ShowsEachScopeAndSource()
    {
        var text = Erasure().ToString();

        Assert.Contains("Scopes = [ScopeErasureOutcome { Scope = marketing, Status = Destroyed", text, StringComparison.Ordinal);
        Assert.Contains("ScopeErasureOutcome { Scope = tax, Status = Retained", text, StringComparison.Ordinal);
        Assert.Contains("Sources = [SourceErasureOutcome { Source = crm, Succeeded = True", text, StringComparison.Ordinal);
        Assert.Contains("Holds = []", text, StringComparison.Ordinal);
    }

    [Fact]
    public void PersonalDataItem_ToString_ListsPurposes_AndHidesTheSubjectIdAndTheValue()
    {
        var text = Item().ToString();

        Assert.Contains("Purposes = [support, delivery]", text, StringComparison.Ordinal);
        Assert.Contains("Value = [String, hidden]", text, StringComparison.Ordinal);
        Assert.DoesNotContain("a@example.org", text, StringComparison.Ordinal);
        Assert.DoesNotContain("cust-1", text, StringComparison.Ordinal);
    }

    private static ErasureResult Erasure() => new()
    {
        Subject = Pseudonym,
        ErasedAt = DateTimeOffset.UnixEpoch,
        Scopes = [new ScopeErasureOutcome("marketing", ScopeErasureStatus.Destroyed) { KeyVersion = 1 }, new ScopeErasureOutcome("tax", ScopeErasureStatus.Retained)],
        Sources = [new SourceErasureOutcome("crm", true) { RowsDeleted = 2 }],
        Holds = [],
    };

    private static PersonalDataItem Item() => new()
    {
        Source = "crm",
        Entity = "Customer",
        SubjectId = "cust-1",
        RecordKey = "1",
        Member = "Email",
        Category = "contact.email",
        Purposes = ["support", "delivery"],
        RetentionPolicy = "default",
        Value = "a@example.org",
    };
}
