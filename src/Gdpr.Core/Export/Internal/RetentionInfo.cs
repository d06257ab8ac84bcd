using System.Globalization;
using Gdpr.Retention;

namespace Gdpr.Export;

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
