using Microsoft.Extensions.Options;

namespace Gdpr.Retention;

/// <summary>Validates <see cref="RetentionSweeperOptions"/> when the host starts, from its attributes (source-generated).</summary>
[OptionsValidator]
internal sealed partial class RetentionSweeperOptionsValidator : IValidateOptions<RetentionSweeperOptions>;
