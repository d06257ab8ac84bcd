using Gdpr.Storage.EfCore.Migrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.Extensions.DependencyInjection;
using static Gdpr.Storage.EfCore.Tests.Migrations.LegacyPlaintextMigrationTests;

namespace Gdpr.Storage.EfCore.Tests.Migrations;

/// <summary>
/// What <c>dotnet ef migrations add</c> writes, through the same design-time services the tool builds (EF's design
/// services over the context's own, then the provider's): a fresh project scaffolds no plaintext column for a
/// personal-data member (Art. 25(1), Art. 32(1)(a)), and the drop of columns that may hold plaintext is scaffolded
/// with the database-side guard (Art. 5(1)(f)).
/// </summary>
public sealed class DesignTimeScaffoldingTests
{
    [Fact]
    public void MigrationsAdd_OnAFreshProject_ScaffoldsThePersonalDataColumn_AndNoPlaintextColumn()
    {
        using var context = new DesignTimeContext(new DbContextOptionsBuilder<DesignTimeContext>().UseSqlite("Data Source=:memory:").UseGdprForDesignTime().Options);
        using var services = DesignTimeServices(context);

        var migration = services.GetRequiredService<IMigrationsScaffolder>().ScaffoldMigration("Initial", "ContactCenter");

        Assert.Contains("name: \"PersonalData$gdpr\"", migration.MigrationCode, StringComparison.Ordinal);
        Assert.Contains("CustomerNumber = table.Column<string>(", migration.MigrationCode, StringComparison.Ordinal);
        Assert.Contains("b.Property<string>(\"CustomerNumber\")", migration.SnapshotCode, StringComparison.Ordinal);
        foreach (var member in new[] { "Email", "Phone", "Balance", "BirthDate" })
        {
            Assert.DoesNotContain(member + " = table.Column", migration.MigrationCode, StringComparison.Ordinal);
            Assert.DoesNotContain($"(\"{member}\")", migration.SnapshotCode, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MigrationsAdd_OfTheDropStep_WritesTheGuardBeforeEachDrop()
    {
        using var adopted = new AdoptedContext(new DbContextOptionsBuilder<AdoptedContext>().UseSqlite("Data Source=:memory:").UseGdprForDesignTime().Options);
        using var finished = new FinishedContext(new DbContextOptionsBuilder<FinishedContext>().UseSqlite("Data Source=:memory:").UseGdprForDesignTime().Options);
        using var services = DesignTimeServices(finished);

        // The scaffolder's own differ (from the design-time services), over the previous model and the new one.
        var differ = services.GetRequiredService<IMigrationsModelDiffer>();
        var operations = differ.GetDifferences(
            adopted.GetService<IDesignTimeModel>().Model.GetRelationalModel(),
            finished.GetService<IDesignTimeModel>().Model.GetRelationalModel());
        var code = services.GetRequiredService<IMigrationsCodeGeneratorSelector>().Select(language: null)
            .GenerateMigration("ContactCenter", "DropLegacyPlaintext", operations, []);

        foreach (var member in new[] { "Email", "Phone", "Balance", "BirthDate" })
        {
            var guard = code.IndexOf($"Customers.{member}{PlaintextDropGuardDiffer.ConstraintSuffix}", StringComparison.Ordinal);
            var drop = code.IndexOf($"name: \"{member}\"", StringComparison.Ordinal);
            Assert.True(guard >= 0, $"the guard of {member} is in the migration");
            Assert.True(drop > guard, $"the guard of {member} runs before its drop");
        }

        Assert.Contains("migrationBuilder.Sql(", code, StringComparison.Ordinal);
    }

    private static ServiceProvider DesignTimeServices(DbContext context)
    {
        var services = new ServiceCollection()
            .AddEntityFrameworkDesignTimeServices()
            .AddDbContextDesignTimeServices(context);
#pragma warning disable EF1001 // the provider's design-time services, as the tool loads them
        new Microsoft.EntityFrameworkCore.Sqlite.Design.Internal.SqliteDesignTimeServices().ConfigureDesignTimeServices(services);
#pragma warning restore EF1001
        return services.BuildServiceProvider();
    }
}
