using Gdpr.Retention;
using Microsoft.Extensions.Options;

namespace Gdpr.Requests;

/// <summary>Validates <see cref="RequestOptions"/>: its attributes, the required clock settings, and that the retention policy it names exists.</summary>
internal sealed partial class RequestOptionsValidator(IOptions<GdprOptions> gdpr) : IValidateOptions<RequestOptions>
{
    private readonly Attributes _attributes = new();

    public ValidateOptionsResult Validate(string? name, RequestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new ValidateOptionsResultBuilder();
        failures.AddResult(_attributes.Validate(name, options));
        if (options.TimeZone is null)
        {
            failures.AddError("RequestOptions.TimeZone is required: deadlines are counted in the controller's time zone (GDPR Art. 12(3)); there is no default.");
        }

        if (options.HolidayCalendar is null)
        {
            failures.AddError("RequestOptions.HolidayCalendar is required: a period ending on a public holiday of the Member State ends on the next working day (Regulation 1182/71, Art. 3(4)); for example new DutchHolidayCalendar().");
        }

        if (!string.IsNullOrWhiteSpace(options.RetentionPolicy))
        {
            var policy = gdpr.Value.RetentionPolicies.FirstOrDefault(p => string.Equals(p?.Name, options.RetentionPolicy, StringComparison.Ordinal));
            if (policy is null)
            {
                failures.AddError($"RequestOptions.RetentionPolicy '{options.RetentionPolicy}' is not configured: add a retention policy of that name (AddRetentionPolicy) with Clock = RelationshipEnd and the period request records are kept for accountability.");
            }
            else if (policy.Clock != RetentionClock.RelationshipEnd || !policy.HasPeriod)
            {
                failures.AddError($"Retention policy '{options.RetentionPolicy}' keeps request records: it needs Clock = RelationshipEnd (counted from the request's closing) and a period.");
            }
        }

        if (options.DirectMarketingScope is { } marketing
            && !gdpr.Value.RetentionPolicies.Any(p => string.Equals(p?.Name, marketing, StringComparison.Ordinal)))
        {
            failures.AddError($"RequestOptions.DirectMarketingScope '{marketing}' names no configured retention policy: name the scope your direct-marketing data is kept under (AddRetentionPolicy), so that an objection (GDPR Art. 21(3)) destroys it.");
        }

        return failures.Build();
    }

    [OptionsValidator]
    private sealed partial class Attributes : IValidateOptions<RequestOptions>;
}
