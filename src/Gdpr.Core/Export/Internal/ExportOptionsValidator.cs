using Gdpr.Classification;
using Microsoft.Extensions.Options;

namespace Gdpr.Export;

/// <summary>
/// Validates <see cref="ExportOptions"/>, with messages that say which setting is wrong: its attributes
/// (source-generated, <see cref="Attributes"/>) and the rules between settings that no attribute can say.
/// </summary>
internal sealed partial class ExportOptionsValidator : IValidateOptions<ExportOptions>
{
    private readonly Attributes _attributes = new();

    public ValidateOptionsResult Validate(string? name, ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new ValidateOptionsResultBuilder();
        failures.AddResult(_attributes.Validate(name, options));
        if (string.IsNullOrWhiteSpace(options.Controller.Name))
        {
            failures.AddError("ExportOptions.Controller.Name is required: an export names the controller (GDPR Art. 15(1)).");
        }

        if (string.IsNullOrWhiteSpace(options.Controller.Contact))
        {
            failures.AddError("ExportOptions.Controller.Contact is required: an export says how to reach the controller.");
        }

        if (!options.DataProtectionOfficer.IsEmpty && string.IsNullOrWhiteSpace(options.DataProtectionOfficer.Contact))
        {
            failures.AddError("ExportOptions.DataProtectionOfficer.Contact is required when a data protection officer is named (GDPR Art. 37(7)).");
        }

        if (!options.SupervisoryAuthority.IsEmpty && string.IsNullOrWhiteSpace(options.SupervisoryAuthority.Name))
        {
            failures.AddError("ExportOptions.SupervisoryAuthority.Name is required when its contact is set.");
        }

        for (var i = 0; i < options.Recipients.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Recipients[i]?.Name))
            {
                failures.AddError($"ExportOptions.Recipients[{i}].Name is required.");
            }
        }

        foreach (var purpose in options.Purposes)
        {
            if (string.IsNullOrWhiteSpace(purpose.Key) || string.IsNullOrWhiteSpace(purpose.Value))
            {
                failures.AddError($"ExportOptions.Purposes['{purpose.Key}'] needs an id and a description.");
            }
        }

        foreach (var origin in options.SourcesOfData)
        {
            if (!PersonalDataCategories.IsValidId(origin.Key) || string.IsNullOrWhiteSpace(origin.Value))
            {
                failures.AddError($"ExportOptions.SourcesOfData['{origin.Key}'] needs a category id (such as 'financial.payment') and a description.");
            }
        }

        foreach (var key in options.PortabilityOverrides.Keys)
        {
            var dot = key.LastIndexOf('.');
            if (dot <= 0 || dot == key.Length - 1 || key.Any(char.IsWhiteSpace))
            {
                failures.AddError($"ExportOptions.PortabilityOverrides key '{key}' must be 'Entity.Member'.");
            }
        }

        if (options.NoAutomatedDecisionMaking && !string.IsNullOrWhiteSpace(options.AutomatedDecisionMaking))
        {
            failures.AddError("ExportOptions.NoAutomatedDecisionMaking and ExportOptions.AutomatedDecisionMaking contradict each other: set one (GDPR Art. 15(1)(h)).");
        }

        if (options.AutomatedDecisionMaking is { } described && string.IsNullOrWhiteSpace(described))
        {
            failures.AddError("ExportOptions.AutomatedDecisionMaking must describe the logic and consequences, or be null (GDPR Art. 15(1)(h)).");
        }

        return failures.Build();
    }

    /// <summary>Checks the DataAnnotations attributes of <see cref="ExportOptions"/>.</summary>
    [OptionsValidator]
    private sealed partial class Attributes : IValidateOptions<ExportOptions>;
}
