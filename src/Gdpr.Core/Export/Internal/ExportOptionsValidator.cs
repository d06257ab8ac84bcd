using Gdpr.Classification;
using Microsoft.Extensions.Options;

namespace Gdpr.Export;

/// <summary>Validates <see cref="ExportOptions"/>, with messages that say which setting is wrong.</summary>
internal sealed class ExportOptionsValidator : IValidateOptions<ExportOptions>
{
    public ValidateOptionsResult Validate(string? name, ExportOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Controller.Name))
        {
            failures.Add("ExportOptions.Controller.Name is required: an export names the controller (GDPR Art. 15(1)).");
        }

        if (string.IsNullOrWhiteSpace(options.Controller.Contact))
        {
            failures.Add("ExportOptions.Controller.Contact is required: an export says how to reach the controller.");
        }

        if (!options.DataProtectionOfficer.IsEmpty && string.IsNullOrWhiteSpace(options.DataProtectionOfficer.Contact))
        {
            failures.Add("ExportOptions.DataProtectionOfficer.Contact is required when a data protection officer is named (GDPR Art. 37(7)).");
        }

        if (!options.SupervisoryAuthority.IsEmpty && string.IsNullOrWhiteSpace(options.SupervisoryAuthority.Name))
        {
            failures.Add("ExportOptions.SupervisoryAuthority.Name is required when its contact is set.");
        }

        for (var i = 0; i < options.Recipients.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Recipients[i]?.Name))
            {
                failures.Add($"ExportOptions.Recipients[{i}].Name is required.");
            }
        }

        foreach (var purpose in options.Purposes)
        {
            if (string.IsNullOrWhiteSpace(purpose.Key) || string.IsNullOrWhiteSpace(purpose.Value))
            {
                failures.Add($"ExportOptions.Purposes['{purpose.Key}'] needs an id and a description.");
            }
        }

        foreach (var origin in options.SourcesOfData)
        {
            if (!PersonalDataCategories.IsValidId(origin.Key) || string.IsNullOrWhiteSpace(origin.Value))
            {
                failures.Add($"ExportOptions.SourcesOfData['{origin.Key}'] needs a category id (such as 'financial.payment') and a description.");
            }
        }

        foreach (var key in options.PortabilityOverrides.Keys)
        {
            var dot = key.LastIndexOf('.');
            if (dot <= 0 || dot == key.Length - 1 || key.Any(char.IsWhiteSpace))
            {
                failures.Add($"ExportOptions.PortabilityOverrides key '{key}' must be 'Entity.Member'.");
            }
        }

        if (options.NoAutomatedDecisionMaking && !string.IsNullOrWhiteSpace(options.AutomatedDecisionMaking))
        {
            failures.Add("ExportOptions.NoAutomatedDecisionMaking and ExportOptions.AutomatedDecisionMaking contradict each other: set one (GDPR Art. 15(1)(h)).");
        }

        if (options.AutomatedDecisionMaking is { } described && string.IsNullOrWhiteSpace(described))
        {
            failures.Add("ExportOptions.AutomatedDecisionMaking must describe the logic and consequences, or be null (GDPR Art. 15(1)(h)).");
        }

        if (options.FlushThresholdBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add("ExportOptions.FlushThresholdBytes must be between 1 KiB and 16 MiB.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
