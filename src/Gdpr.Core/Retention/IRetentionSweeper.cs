namespace Gdpr.Retention;

/// <summary>Destroys every scope whose retention has ended (GDPR Art. 5(1)(e)).</summary>
public interface IRetentionSweeper
{
    /// <summary>
    /// Destroys, in batches, every (subject, scope) whose retention ended by now, except those of subjects under a
    /// legal hold. Idempotent: a second sweep finds nothing left to do; a sweep cut short is completed by the next.
    /// </summary>
    /// <param name="cancellationToken">Cancels the sweep between batches' scopes; what was destroyed stays destroyed.</param>
    /// <returns>What the sweep did.</returns>
    ValueTask<RetentionSweepReport> SweepAsync(CancellationToken cancellationToken = default);
}
