using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Gdpr.Storage.EfCore.Model;

/// <summary>
/// Runs the application's <c>OnModelCreating</c>, then the personal-data model step, so that switching the adapter
/// on is one call on the options (no call in <c>OnModelCreating</c> to forget).
/// </summary>
internal sealed class PersonalDataModelCustomizer(ModelCustomizerDependencies dependencies) : RelationalModelCustomizer(dependencies)
{
    public override void Customize(ModelBuilder modelBuilder, DbContext context)
    {
        base.Customize(modelBuilder, context);
        PersonalDataModel.Apply(modelBuilder);
    }
}
