using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Gdpr.Storage.EfCore.DependencyInjection;
using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>
/// Decrypts entities as EF creates them, for tracking and no-tracking queries alike, and for projections of
/// annotated members (which EF answers by materializing the entity, since the member has no column of its own).
/// </summary>
/// <remarks>
/// Rather than an <see cref="IMaterializationInterceptor"/> (which makes EF build a property-accessor dictionary
/// for every row, several times the cost of materializing the row itself), this wraps the entity type's
/// instantiation binding once per compiled query: the compiled materializer reads the subject, key and
/// personal-data columns straight from the result row and decrypts into the new entity (see <see cref="DecryptingBinding"/> for
/// its two shapes). It is stateless and shared, as EF requires of singleton interceptors (one instance in EF's internal service
/// provider, added by <see cref="GdprDbContextOptionsExtension"/>); the crypto services come from the options of the
/// context being read.
/// </remarks>
internal sealed class DecryptingBindingInterceptor : IInstantiationBindingInterceptor
{
    private static readonly MethodInfo MaterializeMethod = typeof(DecryptingBindingInterceptor).GetMethod(nameof(Materialize), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly ConditionalWeakTable<DbContext, PersonalDataCrypto> CryptoByContext = new();

    public InstantiationBinding ModifyBinding(InstantiationBindingInterceptionData interceptionData, InstantiationBinding binding)
    {
        if (interceptionData.TypeBase is IEntityType entityType
            && PersonalDataModelMap.For(entityType.Model).Get(entityType) is { } map
            && binding is not DecryptingBinding)
        {
            return new DecryptingBinding(binding, map);
        }

        return binding;
    }

    /// <summary>The crypto services of the application the context belongs to (set up by UseGdpr).</summary>
    public static PersonalDataCrypto CryptoFor(DbContext context) => CryptoByContext.GetValue(context, FindCrypto);

    private static object Materialize(object entity, DbContext context, object?[] row, PersonalDataEntityMap map)
    {
        CryptoFor(context).Materializer.Materialize(context, entity, map, row);
        return entity;
    }

    private static PersonalDataCrypto FindCrypto(DbContext context) => GdprDbContextOptionsExtension.CryptoFor(context);

    /// <summary>The materializer of the application the context belongs to, for the compiled materializer.</summary>
    public static PersonalDataMaterializer MaterializerFor(DbContext context) => CryptoFor(context).Materializer;

    /// <summary>Creates the entity as EF would, then decrypts its members from the columns of the same result row.</summary>
    /// <remarks>
    /// Two shapes. The direct one (a root entity type whose subject id and primary key are CLR members) assigns the
    /// subject id and key itself (listing them as consumed, so EF neither reads nor sets them a second time) and then
    /// the members, one decryption per record: <c>crypto.ReadRow(map, subject, column, entity, entity)</c>. It allocates
    /// nothing per row beyond what EF and the values need. The general one (owned types, shadow keys, a
    /// subject id EF passes to a constructor) hands the entity and a row of boxed columns to
    /// <see cref="PersonalDataMaterializer.Materialize"/>.
    /// </remarks>
    private sealed class DecryptingBinding : InstantiationBinding
    {
        private static readonly MethodInfo ReadRowMethod = typeof(PersonalDataMaterializer).GetMethod(nameof(PersonalDataMaterializer.ReadRow))!;
        private static readonly MethodInfo CryptoForMethod = typeof(DecryptingBindingInterceptor).GetMethod(nameof(MaterializerFor))!;
        private static readonly MethodInfo SubjectTextMethod = typeof(PersonalDataMembers).GetMethod(nameof(PersonalDataMembers.ToSubjectText), 1, [Type.MakeGenericMethodParameter(0)])!;

        private readonly InstantiationBinding _inner;
        private readonly PersonalDataEntityMap _map;

        /// <summary>The subject id and key properties this binding sets itself (direct shape), or empty.</summary>
        private readonly IProperty[] _consumed;

        public DecryptingBinding(InstantiationBinding inner, PersonalDataEntityMap map)
            : this(inner, map, DirectlyAssigned(inner, map))
        {
        }

        private DecryptingBinding(InstantiationBinding inner, PersonalDataEntityMap map, IProperty[] consumed)
            : base([.. inner.ParameterBindings, .. consumed.Select(p => new PropertyParameterBinding(p))])
        {
            _inner = inner;
            _map = map;
            _consumed = consumed;
        }

        public override Type RuntimeType => _inner.RuntimeType;

        public override Expression CreateConstructorExpression(ParameterBindingInfo bindingInfo)
        {
            var create = _inner.CreateConstructorExpression(bindingInfo);
            var context = new ContextParameterBinding(typeof(DbContext)).BindToParameter(bindingInfo);
            if (_consumed.Length == 0)
            {
                // Read through bindings that are not listed in ParameterBindings, so EF still sets every mapped
                // property (the key, the subject id) on the instance as usual.
                var row = _map.ReadProperties.Select(p => (Expression)Expression.Convert(new PropertyParameterBinding(p).BindToParameter(bindingInfo), typeof(object)));
                return Expression.Convert(
                    Expression.Call(MaterializeMethod, Expression.Convert(create, typeof(object)), context, Expression.NewArrayInit(typeof(object), row), Expression.Constant(_map)),
                    create.Type);
            }

            var entity = Expression.Variable(create.Type, "entity");
            var crypto = Expression.Variable(typeof(PersonalDataMaterializer), "materializer");
            var subject = Expression.Variable(typeof(string), "subject");

            var body = new List<Expression> { Expression.Assign(entity, create) };
            foreach (var property in _consumed)
            {
                var member = property.GetMemberInfo(forMaterialization: true, forSet: true);
                var value = new PropertyParameterBinding(property).BindToParameter(bindingInfo);
                var target = Expression.MakeMemberAccess(entity, member);
                body.Add(Expression.Assign(target, value.Type == target.Type ? value : Expression.Convert(value, target.Type)));
            }

            var subjectMember = Expression.MakeMemberAccess(entity, _map.SubjectProperty!.GetMemberInfo(forMaterialization: true, forSet: true));
            body.Add(Expression.Assign(subject, Expression.Call(SubjectTextMethod.MakeGenericMethod(subjectMember.Type), subjectMember)));
            body.Add(Expression.Assign(crypto, Expression.Call(CryptoForMethod, context)));
            var column = new PropertyParameterBinding(_map.Column!).BindToParameter(bindingInfo);
            body.Add(Expression.Call(crypto, ReadRowMethod, Expression.Constant(_map), subject, column, entity, entity));
            body.Add(entity);
            return Expression.Block(create.Type, [entity, crypto, subject], body);
        }

        public override InstantiationBinding With(IReadOnlyList<ParameterBinding> parameterBindings)
            => new DecryptingBinding(_inner.With([.. parameterBindings.Take(_inner.ParameterBindings.Count)]), _map, _consumed);

        /// <summary>
        /// The properties the direct shape assigns: the subject id and the primary key of a root entity type, when
        /// all are CLR members EF can set and none is already a constructor parameter. Otherwise none.
        /// </summary>
        private static IProperty[] DirectlyAssigned(InstantiationBinding inner, PersonalDataEntityMap map)
        {
            if (map.Ownership is not null || map.OwnedNavigations.Length > 0 || map.Members.Length == 0 || map.SubjectProperty is null)
            {
                return [];
            }

            IProperty[] properties = [.. map.KeyProperties.Append(map.SubjectProperty).Distinct()];
            var bound = inner.ParameterBindings.SelectMany(b => b.ConsumedProperties).ToHashSet();
            foreach (var property in properties)
            {
                if (property.IsShadowProperty() || bound.Contains(property) || !CanSet(property))
                {
                    return [];
                }
            }

            return properties;

            static bool CanSet(IProperty property)
            {
                try
                {
                    return property.GetMemberInfo(forMaterialization: true, forSet: true) is not null;
                }
                catch (InvalidOperationException)
                {
                    return false; // No setter or backing field EF could use: leave it to EF.
                }
            }
        }
    }
}
