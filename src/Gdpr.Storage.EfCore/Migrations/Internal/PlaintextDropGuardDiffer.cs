using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Internal;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.Migrations;

/// <summary>
/// Wraps EF's model differ so that every scaffolded <c>DropColumn</c> of a column that may hold personal data in
/// plaintext comes with a guard that refuses, when the migration is applied, to drop it while any row still holds a
/// value in it: a legacy column kept by <c>HasLegacyPlaintextColumns()</c> (step 4 of docs/migrations.md), or the
/// old column of a member that has just become <see cref="PersonalDataAttribute"/> (an adoption without step 1).
/// </summary>
/// <remarks>
/// The guard is SQL inside the migration (visible in the scaffolded code, in <c>migrations script</c> and run by
/// <c>database update</c> in the migration's transaction), so it holds however the migration is applied. It inserts
/// the count of rows with a value into a temporary table whose CHECK constraint, named after the table and column,
/// requires zero: a portable way to fail a statement on SQLite, which has no RAISE outside triggers.
/// </remarks>
internal sealed class PlaintextDropGuardDiffer(IMigrationsModelDiffer inner, ISqlGenerationHelper sql) : IMigrationsModelDiffer
{
    /// <summary>The temporary table of the guard.</summary>
    internal const string GuardTable = "gdpr_plaintext_drop_guard";

    /// <summary>The end of the guard's constraint name, which is all SQLite's error message shows (PostgreSQL keeps 63 bytes of it).</summary>
    internal const string ConstraintSuffix = " still holds plaintext";

    public bool HasDifferences(IRelationalModel? source, IRelationalModel? target) => inner.HasDifferences(source, target);

    public IReadOnlyList<MigrationOperation> GetDifferences(IRelationalModel? source, IRelationalModel? target)
    {
        var operations = inner.GetDifferences(source, target);
        if (source is null || !operations.Any(o => o is DropColumnOperation))
        {
            return operations;
        }

        var guarded = new List<MigrationOperation>(operations.Count + 1);
        foreach (var operation in operations)
        {
            if (operation is DropColumnOperation drop && MayHoldPlaintext(source, target, drop))
            {
                guarded.Add(Guard(drop));
            }

            guarded.Add(operation);
        }

        return guarded;
    }

    /// <summary>
    /// Registers the guard around whatever differ the provider registered (or EF's own, when none yet). EF calls an
    /// extension's <c>ApplyServices</c> once per internal service provider it builds, so the guard wraps once.
    /// </summary>
    public static void Decorate(IServiceCollection services)
    {
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IMigrationsModelDiffer));
        Func<IServiceProvider, IMigrationsModelDiffer> create = existing switch
        {
#pragma warning disable EF1001 // EF's own differ, when the provider registers none before this extension
            null => sp => ActivatorUtilities.CreateInstance<MigrationsModelDiffer>(sp),
#pragma warning restore EF1001
            { ImplementationFactory: { } factory } => sp => (IMigrationsModelDiffer)factory(sp),
            { ImplementationInstance: IMigrationsModelDiffer instance } => _ => instance,
            _ => sp => (IMigrationsModelDiffer)ActivatorUtilities.CreateInstance(sp, existing.ImplementationType!),
        };

        if (existing is not null)
        {
            services.Remove(existing);
        }

        services.Add(new ServiceDescriptor(
            typeof(IMigrationsModelDiffer),
            sp => new PlaintextDropGuardDiffer(create(sp), sp.GetRequiredService<ISqlGenerationHelper>()),
            existing?.Lifetime ?? ServiceLifetime.Scoped));
    }

    private static bool MayHoldPlaintext(IRelationalModel source, IRelationalModel? target, DropColumnOperation drop)
    {
        var column = source.FindTable(drop.Table, drop.Schema)?.FindColumn(drop.Name);
        if (column is null)
        {
            return false;
        }

        var propertyNames = column.PropertyMappings.Select(m => m.Property.Name).ToHashSet(StringComparer.Ordinal);
        if (propertyNames.Any(n => n.EndsWith(PersonalDataMembers.LegacySuffix, StringComparison.Ordinal)))
        {
            return true;
        }

        // The column of a member that is [PersonalData] now: the entity types of the same table in the new model.
        propertyNames.Add(drop.Name);
        return target?.FindTable(drop.Table, drop.Schema)?.EntityTypeMappings
            .Select(m => m.TypeBase.ClrType)
            .Distinct()
            .Any(type => PersonalDataMembers.GetPersonalData(type).Any(p => propertyNames.Contains(p.Member.Name))) == true;
    }

    private SqlOperation Guard(DropColumnOperation drop)
    {
        var table = sql.DelimitIdentifier(drop.Table, drop.Schema);
        var column = sql.DelimitIdentifier(drop.Name);
        var constraint = sql.DelimitIdentifier(drop.Table + "." + drop.Name + ConstraintSuffix);
        var guardTable = sql.DelimitIdentifier(GuardTable);
        return new SqlOperation
        {
            Sql = $"""
                -- Gdpr: refuses to drop {table}.{column} while a row still holds a value in it (docs/migrations.md, step 4).
                CREATE TEMPORARY TABLE {guardTable} ("rows_with_plaintext" INTEGER NOT NULL CONSTRAINT {constraint} CHECK ("rows_with_plaintext" = 0));
                INSERT INTO {guardTable} SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL;
                DROP TABLE {guardTable};
                """,
        };
    }
}
