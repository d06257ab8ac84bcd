using Gdpr.Classification;
using Gdpr.Retention;

namespace Gdpr.Export;

/// <summary>Everything one export writes besides the values: who, when, and the head's configuration.</summary>
internal sealed class ExportDocument
{
    /// <summary>The format version written as <c>formatVersion</c>; a major change means a new schema file.</summary>
    public const string FormatVersion = "1.0";

    public ExportDocument(string subjectId, ExportKind kind, DateTimeOffset generatedAt, ExportOptions options, IEnumerable<RetentionPolicy> policies)
    {
        SubjectId = subjectId;
        Kind = kind;
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

    public ExportKind Kind { get; }

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
