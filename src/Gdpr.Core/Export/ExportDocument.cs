using System.Globalization;
using Gdpr.Classification;
using Gdpr.DataSources;
using Gdpr.Retention;

namespace Gdpr.Export;

/// <summary>Everything one export writes besides the values: who, when, and the head's configuration.</summary>
internal sealed class ExportDocument
{
    /// <summary>The format version written as <c>formatVersion</c>; a major change means a new schema file.</summary>
    public const string FormatVersion = "1.0";

    public ExportDocument(string subjectId, ExportScope scope, DateTimeOffset generatedAt, ExportOptions options, IEnumerable<RetentionPolicy> policies)
    {
        SubjectId = subjectId;
        Scope = scope;
        GeneratedAt = generatedAt;
        Options = options;
        var byName = new Dictionary<string, RetentionInfo>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            byName[policy.Name] = RetentionInfo.From(policy);
        }

        if (!byName.ContainsKey(PersonalDataAttribute.DefaultRetentionPolicy))
        {
            byName[PersonalDataAttribute.DefaultRetentionPolicy] = RetentionInfo.Unconfigured(PersonalDataAttribute.DefaultRetentionPolicy);
        }

        Policies = byName;
    }

    public string SubjectId { get; }

    public ExportScope Scope { get; }

    public DateTimeOffset GeneratedAt { get; }

    public ExportOptions Options { get; }

    /// <summary>Retention policies by name; a value naming an unknown policy gets an unconfigured entry.</summary>
    public IReadOnlyDictionary<string, RetentionInfo> Policies { get; }

    public RetentionInfo GetPolicy(string name) =>
        Policies.TryGetValue(name, out var info) ? info : RetentionInfo.Unconfigured(name);

    /// <summary>The display name of a category: the taxonomy's for built-in ones, the id itself for an application's own.</summary>
    public static string CategoryName(string category) =>
        PersonalDataCategories.TryGet(category, out var known) ? known.DisplayName : category;
}

/// <summary>A retention policy as an export shows it.</summary>
internal sealed record RetentionInfo(string Name, string? Period, string? Clock, bool LegalObligation, string? LegalBasis, string Description)
{
    public static RetentionInfo From(RetentionPolicy policy)
    {
        var period = IsoPeriod(policy.Years, policy.Months, policy.Days);
        var clock = policy.Clock switch
        {
            RetentionClock.Collection => "collection",
            RetentionClock.RelationshipEnd => "relationshipEnd",
            _ => "applicationDate",
        };
        var from = policy.Clock switch
        {
            RetentionClock.Collection => "from when the data was collected",
            RetentionClock.RelationshipEnd => "from the end of the relationship",
            _ => "from a date set per subject (for example the invoice date)",
        };
        var description = $"Kept {Words(policy.Years, policy.Months, policy.Days)} {from}, then erased"
            + (policy.IsLegalObligation ? "; a legal obligation requires keeping it for that period." : ".");
        return new RetentionInfo(policy.Name, period, clock, policy.IsLegalObligation,
            string.IsNullOrWhiteSpace(policy.LegalBasis) ? null : policy.LegalBasis, description);
    }

    /// <summary>A policy the controller did not configure: the export says so rather than claim a retention practice.</summary>
    public static RetentionInfo Unconfigured(string name) => new(name, null, null, false, null,
        "The controller has not configured a retention period for this data.");

    /// <summary>An ISO 8601 duration such as <c>P7Y</c> or <c>P1Y6M</c>.</summary>
    internal static string IsoPeriod(int years, int months, int days)
    {
        if (years == 0 && months == 0 && days == 0)
        {
            return "P0D";
        }

        var text = "P";
        text += years != 0 ? years.ToString(CultureInfo.InvariantCulture) + "Y" : string.Empty;
        text += months != 0 ? months.ToString(CultureInfo.InvariantCulture) + "M" : string.Empty;
        text += days != 0 ? days.ToString(CultureInfo.InvariantCulture) + "D" : string.Empty;
        return text;
    }

    private static string Words(int years, int months, int days)
    {
        var parts = new List<string>(3);
        Add(parts, years, "year");
        Add(parts, months, "month");
        Add(parts, days, "day");
        return parts.Count == 0 ? "0 days" : string.Join(", ", parts);

        static void Add(List<string> parts, int n, string unit)
        {
            if (n != 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{n} {unit}{(n == 1 ? string.Empty : "s")}"));
            }
        }
    }
}

/// <summary>What an export wrote so far; bounded by the number of distinct categories and sources, not by values.</summary>
internal sealed class ExportStats
{
    public int ValueCount { get; set; }

    public int ErasedCount { get; set; }

    public int FileCount { get; set; }

    public Dictionary<string, int> Categories { get; } = new(StringComparer.Ordinal);

    public List<string> Sources { get; } = [];

    public void Count(PersonalDataItem item)
    {
        ValueCount++;
        if (item.IsErased)
        {
            ErasedCount++;
        }
        else if (item.Value is byte[])
        {
            FileCount++;
        }

        ref var n = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Categories, item.Category, out _);
        n++;
    }

    public ExportSummary ToSummary() => new(ValueCount, ErasedCount, FileCount);
}
