namespace Gdpr.Export;

/// <summary>The fixed texts of an export's head: the subject's rights in plain English, with their articles.</summary>
internal static class ExportTexts
{
    public const string NoAutomatedDecisions =
        "No decisions about you are taken solely by automated means, and no profiling that has legal or similarly significant effects on you.";

    public const string Complaint =
        "You have the right to lodge a complaint with a supervisory authority, in particular in the Member State of your habitual residence, place of work or place of the alleged infringement.";

    public static readonly (string Right, string Article, string Description)[] Rights =
    [
        ("access", "Art. 15", "You may obtain confirmation of whether your personal data is processed and a copy of it, with the information in this document."),
        ("rectification", "Art. 16", "You may have inaccurate personal data about you corrected, and incomplete data completed."),
        ("erasure", "Art. 17", "You may have your personal data erased when it is no longer needed, when you withdraw consent or object, or when it was processed unlawfully, unless a legal obligation or a legal claim requires keeping it (Art. 17(3))."),
        ("restriction", "Art. 18", "You may have processing restricted while the accuracy or lawfulness of the data is contested, or while you need the data for a legal claim."),
        ("portability", "Art. 20", "You may receive the data you provided, processed on consent or contract, in a structured, commonly used, machine-readable format, and have it transmitted to another controller."),
        ("objection", "Art. 21", "You may object at any time to processing based on legitimate interests or a public task, and always to direct marketing."),
    ];
}
