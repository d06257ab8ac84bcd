using System.Reflection;
using System.Text;

namespace Gdpr.PublicApi.Tests;

/// <summary>Writes the public surface of an assembly as sorted, stable text lines, one per type or member.</summary>
internal static class PublicApiListing
{
    public static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            lines.Add(TypeLine(type));
            const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(Flags))
            {
                var line = MemberLine(type, member);
                if (line is not null)
                {
                    lines.Add(line);
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines) + "\n";
    }

    private static string TypeLine(Type type)
    {
        var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct"
            : typeof(Delegate).IsAssignableFrom(type) ? "delegate"
            : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : type.IsAbstract ? "abstract class" : "class";
        var bases = new List<string>();
        if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum))
        {
            bases.Add(Name(b));
        }

        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return $"{Name(type)} : {kind}" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : "");
    }

    private static string? MemberLine(Type owner, MemberInfo member)
    {
        var prefix = Name(owner) + ".";
        switch (member)
        {
            case ConstructorInfo c:
                return $"{prefix}ctor({Parameters(c.GetParameters())})";
            case MethodInfo m when !m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal):
                var generic = m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";
                return $"{prefix}{(m.IsStatic ? "static " : "")}{m.Name}{generic}({Parameters(m.GetParameters())}) -> {Name(m.ReturnType)}";
            case PropertyInfo p:
                var accessors = (p.GetMethod?.IsPublic == true ? "get; " : "") + (p.SetMethod?.IsPublic == true
                    ? (p.SetMethod.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") ? "init; " : "set; ") : "");
                return $"{prefix}{p.Name} : {Name(p.PropertyType)} {{ {accessors}}}";
            case FieldInfo f when owner.IsEnum && f.IsStatic:
                return $"{prefix}{f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}";
            case FieldInfo f when !owner.IsEnum:
                return $"{prefix}{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{f.Name} : {Name(f.FieldType)}";
            case EventInfo e:
                return $"{prefix}event {e.Name} : {Name(e.EventHandlerType!)}";
            default:
                return null;
        }
    }

    private static string Parameters(ParameterInfo[] parameters)
        => string.Join(", ", parameters.Select(p =>
            (p.IsOut ? "out " : p.ParameterType.IsByRef ? (p.IsIn ? "in " : "ref ") : "")
            + Name(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType)
            + " " + p.Name
            + (p.HasDefaultValue ? " = " + (p.DefaultValue?.ToString() ?? (p.ParameterType.IsValueType ? "default" : "null")) : "")));

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        var name = new StringBuilder(type.IsNested ? Name(type.DeclaringType!) + "." : (type.Namespace is null ? "" : type.Namespace + "."));
        var plain = type.Name;
        var tick = plain.IndexOf('`', StringComparison.Ordinal);
        name.Append(tick < 0 ? plain : plain[..tick]);
        if (type.IsGenericType)
        {
            var args = type.GetGenericArguments();
            if (type.IsNested)
            {
                args = args.Skip(type.DeclaringType!.GetGenericArguments().Length).ToArray();
            }

            if (args.Length > 0)
            {
                name.Append('<').Append(string.Join(", ", args.Select(Name))).Append('>');
            }
        }

        return name.ToString();
    }
}
