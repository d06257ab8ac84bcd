using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gdpr.Storage.EfCore;

/// <summary>
/// Keeps the plaintext columns an existing database already has for an entity type's <see cref="PersonalDataAttribute"/>
/// members while their values are moved under the subjects' keys (docs/migrations.md).
/// </summary>
public static class LegacyPlaintextModelBuilderExtensions
{
    /// <summary>
    /// Maps each annotated member's old plaintext column (same name and type, now nullable) beside the personal-data
    /// column, so that a migration adds the personal-data column and drops nothing; the
    /// <see cref="LegacyPlaintextMigration{TContext}"/> pass then encrypts the values and empties these columns.
    /// The application never reads or writes them: the adapter reads and writes the encrypted column only.
    /// Remove the call, and scaffold the migration that drops the columns, only after
    /// <see cref="LegacyPlaintextMigration{TContext}.VerifyAsync"/> passed.
    /// </summary>
    /// <param name="builder">The entity type's builder (a root entity type; owned types are not supported yet).</param>
    /// <returns>The builder.</returns>
    public static EntityTypeBuilder HasLegacyPlaintextColumns(this EntityTypeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.HasAnnotation(PersonalDataMembers.LegacyColumnsAnnotation, true);
        return builder;
    }

    /// <summary>
    /// Maps each annotated member's old plaintext column while its values are encrypted, as
    /// <see cref="HasLegacyPlaintextColumns(EntityTypeBuilder)"/> does.
    /// </summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="builder">The entity type's builder.</param>
    /// <returns>The builder.</returns>
    public static EntityTypeBuilder<TEntity> HasLegacyPlaintextColumns<TEntity>(this EntityTypeBuilder<TEntity> builder)
        where TEntity : class
    {
        HasLegacyPlaintextColumns((EntityTypeBuilder)builder);
        return builder;
    }
}
