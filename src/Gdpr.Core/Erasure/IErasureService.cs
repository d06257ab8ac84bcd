namespace Gdpr.Erasure;

/// <summary>Erases data subjects (GDPR Art. 17) across every registered data source.</summary>
public interface IErasureService
{
    /// <summary>
    /// Erases a subject: destroys at once every scope no retention obligation or legal hold protects, records when
    /// the protected ones will be destroyed, and lets every data source delete rows, replace values and remove
    /// derived values. Idempotent: run it again after a partial failure, or after a hold is released.
    /// </summary>
    /// <param name="subjectId">The subject id.</param>
    /// <param name="cancellationToken">Cancels the erasure; what was destroyed stays destroyed, and a new call completes it.</param>
    /// <returns>What happened to each scope and each source, with a signed certificate when nothing failed.</returns>
    ValueTask<ErasureResult> EraseAsync(string subjectId, CancellationToken cancellationToken = default);
}
