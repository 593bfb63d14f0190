using System.Text.RegularExpressions;
using ActorTrain.Cluster.Bootstrap;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Node.Commands;
using ActorTrain.Node.Configuration;
using ActorTrain.Testing;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Node.Tests.Deploy;

/// <summary>
/// No container engine or Kubernetes runs here, so deploy/ is checked by parsing: every manifest loads,
/// node arguments pass `actortrain node`'s own validation, ACTORTRAIN__* variables name real keys, and the
/// ports, names, roles and bootstrap settings that wire the pieces together agree with the HOCON.
/// </summary>
public sealed partial class DeployManifestTests
{
    private static readonly string Deploy = Path.Combine(RepositoryPaths.Root, "deploy");
    private static readonly Config Reference = EmbeddedHocon.Load(EmbeddedHocon.Base);
    private static readonly Config Kubernetes = EmbeddedHocon.Load(EmbeddedHocon.KubernetesProfile).WithFallback(Reference);
    private static readonly int MetricsPort = Reference.GetInt("actortrain.metrics.port");
    private static readonly int CommandPort = Reference.GetInt("actortrain.cmd.port");

    private static IReadOnlyList<Manifest> Kube(string file) => Manifest.Load(Path.Combine(Deploy, "kubernetes", file));

    [Fact]
    public void The_statefulset_runs_valid_node_arguments_with_probes_ports_and_prestop_that_match_the_node()
    {
        var set = Manifest.Kind(Kube("statefulset.yaml"), "StatefulSet");
        var container = set.Items("spec.template.spec.containers").Single();
        var environment = container.Items("env").ToDictionary(e => e.Text("name"));
        // Kubernetes substitutes $(VAR) from the container's env before the process starts.
        var arguments = container.Texts("args").Select(a => KubeVariable().Replace(a, m =>
        {
            Assert.True(environment.ContainsKey(m.Groups[1].Value), $"args use $({m.Groups[1].Value}), which the container does not define");
            return m.Groups[1].Value == "POD_IP" ? "10.1.2.3" : "secret";
        })).ToList();
        var node = NodeArguments.Check(arguments, "statefulset.yaml");
        Assert.Equal("10.1.2.3", node.Host);
        Assert.Equal("status.podIP", environment["POD_IP"].Text("valueFrom.fieldRef.fieldPath"));
        Assert.Equal(["kubernetes", "production"], node.Config);
        Assert.Empty(node.Seeds);
        Assert.IsType<PostgresJournal>(JournalTarget.Parse(node.Db!));

        var ports = container.Items("ports").ToDictionary(p => p.Text("name"), p => int.Parse(p.Text("containerPort")));
        Assert.Equal(node.Port, ports["remoting"]);
        Assert.Equal(MetricsPort, ports["http"]);
        Assert.Equal(CommandPort, ports["pbm"]);
        Assert.Equal("http", Kubernetes.GetString("actortrain.bootstrap.port-name"));

        Assert.Equal("/health/ready", container.Text("readinessProbe.httpGet.path"));
        Assert.Equal("http", container.Text("readinessProbe.httpGet.port"));
        Assert.Equal("/health/alive", container.Text("livenessProbe.httpGet.path"));
        Assert.Equal("http", container.Text("livenessProbe.httpGet.port"));
        Assert.Equal(["pbm", $"127.0.0.1:{CommandPort}", "cluster", "leave"], container.Texts("lifecycle.preStop.exec.command"));

        // ACTORTRAIN__* variables are real keys; the command host leaves loopback only with a token file from the Secret.
        var variables = environment.Where(e => e.Key.StartsWith("ACTORTRAIN__", StringComparison.Ordinal))
            .ToDictionary(e => e.Key, e => e.Value.Has("value") ? e.Value.Text("value") : "x");
        var layer = ConfigurationLayers.FromEnvironment(variables);
        ConfigurationLayers.CheckKeys(layer, "statefulset.yaml");
        string tokenFile = layer.GetString("actortrain.cmd.token-file");
        var mount = container.Items("volumeMounts").Single(m => tokenFile.StartsWith(m.Text("mountPath") + "/", StringComparison.Ordinal));
        var volume = set.Items("spec.template.spec.volumes").Single(v => v.Text("name") == mount.Text("name"));
        Assert.Equal(Path.GetFileName(tokenFile), volume.Items("secret.items").Single().Text("path"));
        Assert.Contains(volume.Items("secret.items").Single().Text("key"), SecretKeys());
        Assert.Contains(environment["PBM_TOKEN"].Text("valueFrom.secretKeyRef.key"), SecretKeys());
        Assert.Contains(environment["POSTGRES_PASSWORD"].Text("valueFrom.secretKeyRef.key"), SecretKeys());
    }

    [Fact]
    public void The_bootstrap_finds_exactly_the_statefulsets_pods_with_the_rights_it_is_given()
    {
        var set = Manifest.Kind(Kube("statefulset.yaml"), "StatefulSet");
        var bootstrap = BootstrapSettings.From(Kubernetes, MetricsPort);
        Assert.True(bootstrap.Enabled);
        Assert.Equal("kubernetes-api", bootstrap.DiscoveryMethod);
        Assert.Equal(int.Parse(set.Text("spec.replicas")), bootstrap.RequiredContactPoints);
        Assert.Equal("Parallel", set.Text("spec.podManagementPolicy"));
        // The label selector Kubernetes API discovery asks for is the pods' label.
        string selector = string.Format(Kubernetes.GetString("akka.discovery.kubernetes-api.pod-label-selector"), bootstrap.ServiceName);
        var (key, value) = (selector.Split('=')[0], selector.Split('=')[1]);
        Assert.Equal(value, set.Text($"spec.template.metadata.labels.{key}"));
        Assert.Equal("0.0.0.0", Kubernetes.GetString("actortrain.metrics.host"));

        var service = Manifest.Kind(Kube("service.yaml"), "Service");
        Assert.Equal("None", service.Text("spec.clusterIP"));
        Assert.Equal("true", service.Text("spec.publishNotReadyAddresses"));
        Assert.Equal(set.Text("spec.serviceName"), service.Text("metadata.name"));
        Assert.Equal(value, service.Text($"spec.selector.{key}"));
        var containerPorts = set.Items("spec.template.spec.containers.[0].ports").Select(p => p.Text("name")).ToHashSet();
        Assert.All(service.Items("spec.ports"), p => Assert.Contains(p.Text("targetPort"), containerPorts));

        var rbac = Kube("rbac.yaml");
        string account = set.Text("spec.template.spec.serviceAccountName");
        Assert.Equal(account, Manifest.Kind(rbac, "ServiceAccount").Text("metadata.name"));
        var binding = Manifest.Kind(rbac, "RoleBinding");
        Assert.Equal(account, binding.Items("subjects").Single().Text("name"));
        var role = Manifest.Kind(rbac, "Role");
        Assert.Equal(role.Text("metadata.name"), binding.Text("roleRef.name"));
        var rule = role.Items("rules").Single();
        Assert.Equal(["pods"], rule.Texts("resources"));
        Assert.Subset(rule.Texts("verbs").ToHashSet(), new HashSet<string> { "get", "list", "watch" });
    }

    [Fact]
    public void Postgres_and_the_kustomization_agree_with_the_nodes_journal()
    {
        var node = NodeArguments.Check(Manifest.Kind(Kube("statefulset.yaml"), "StatefulSet")
            .Texts("spec.template.spec.containers.[0].args").Select(a => KubeVariable().Replace(a, "x")).ToList(), "statefulset.yaml");
        var journal = new Npgsql.NpgsqlConnectionStringBuilder(((PostgresJournal)JournalTarget.Parse(node.Db!)).ConnectionString);
        var postgres = Kube("postgres.yaml");
        var service = Manifest.Kind(postgres, "Service");
        Assert.Equal(service.Text("metadata.name"), journal.Host);
        Assert.Equal(journal.Port, int.Parse(service.Items("spec.ports").Single().Text("port")));
        var server = Manifest.Kind(postgres, "StatefulSet").Items("spec.template.spec.containers").Single();
        var environment = server.Items("env").ToDictionary(e => e.Text("name"));
        Assert.Equal(journal.Username, environment["POSTGRES_USER"].Text("value"));
        Assert.Equal(journal.Database, environment["POSTGRES_DB"].Text("value"));
        Assert.Contains(environment["POSTGRES_PASSWORD"].Text("valueFrom.secretKeyRef.key"), SecretKeys());

        var kustomization = Kube("kustomization.yaml").Single();
        Assert.All(kustomization.Texts("resources"), file => Assert.True(File.Exists(Path.Combine(Deploy, "kubernetes", file)), file));
        Assert.DoesNotContain("secret.example.yaml", kustomization.Texts("resources"));
    }

    [Fact]
    public void Compose_runs_three_valid_nodes_seeded_by_each_other_on_its_postgres()
    {
        var compose = Manifest.Load(Path.Combine(Deploy, "compose.yaml")).Single();
        const string Password = "pw";
        var nodes = new[] { "node-1", "node-2", "node-3" }.ToDictionary(name => name, name =>
        {
            var arguments = compose.Texts($"services.{name}.command").Select(a => ComposeVariable().Replace(a, Password)).ToList();
            return NodeArguments.Check(arguments, $"compose.yaml {name}");
        });
        foreach ((string name, var node) in nodes)
        {
            Assert.Equal(name, node.Host);
            Assert.Equal(name, compose.Text($"services.{name}.hostname"));
            Assert.All(node.Seeds, seed =>
            {
                string[] hostPort = seed.Split(':');
                Assert.Equal(nodes[hostPort[0]].Port, int.Parse(hostPort[1]));
            });
            var environment = compose.At($"services.{name}.environment");
            var variables = ((YamlDotNet.RepresentationModel.YamlMappingNode)environment).Children
                .ToDictionary(p => p.Key.ToString(), p => p.Value.ToString());
            var layer = ConfigurationLayers.FromEnvironment(variables);
            ConfigurationLayers.CheckKeys(layer, $"compose.yaml {name}");
            Assert.Equal(name, layer.GetString("actortrain.training.data-plane-host"));
            Assert.EndsWith($":{MetricsPort}", compose.Texts($"services.{name}.ports").Single());
            var journal = new Npgsql.NpgsqlConnectionStringBuilder(((PostgresJournal)JournalTarget.Parse(node.Db!)).ConnectionString);
            Assert.Equal("postgres", journal.Host);
            Assert.Equal(compose.Text("services.postgres.environment.POSTGRES_USER"), journal.Username);
            Assert.Equal(compose.Text("services.postgres.environment.POSTGRES_DB"), journal.Database);
            Assert.Equal(Password, journal.Password);
        }
        Assert.Equal(new HashSet<string> { "data", "trainer", "coordinator" }, nodes.Values.SelectMany(n => n.RoleList).ToHashSet());
        Assert.Contains("pg_isready", compose.Texts("services.postgres.healthcheck.test"));
        Assert.Equal(["CMD", "pbm", $"127.0.0.1:{CommandPort}", "cluster", "show"], compose.Texts("x-node.healthcheck.test"));
    }

    [Fact]
    public void The_image_builds_native_and_managed_code_ships_pbm_and_exposes_the_nodes_ports()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Deploy, "docker", "Dockerfile"));
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.True(stages.Count >= 2, "a multi-stage build");
        string build = string.Join('\n', lines.TakeWhile(l => l != stages[1]));
        Assert.Contains("cmake", build);
        Assert.Contains("g++", build);
        foreach (Match publish in Regex.Matches(build, @"dotnet publish (\S+\.csproj)"))
            Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, publish.Groups[1].Value)), publish.Groups[1].Value);
        Assert.Contains("src/ActorTrain.Cmd/ActorTrain.Cmd.csproj", build);
        string runtime = string.Join('\n', lines.SkipWhile(l => l != stages[^1]));
        Assert.Contains("/usr/local/bin/pbm", runtime);
        Assert.Contains("ENTRYPOINT [\"actortrain\"]", runtime);
        var exposed = lines.Single(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal)).Split(' ').Skip(1).Select(int.Parse).ToHashSet();
        Assert.Equal(new HashSet<int> { new NodeCommand.Settings().Port, CommandPort, MetricsPort }, exposed);
        var variables = lines.Where(l => l.StartsWith("ENV ACTORTRAIN__", StringComparison.Ordinal))
            .Select(l => l["ENV ".Length..].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        ConfigurationLayers.CheckKeys(ConfigurationLayers.FromEnvironment(variables), "Dockerfile");
    }

    [Fact]
    public void The_systemd_unit_runs_valid_node_arguments_from_its_environment_file_and_stops_with_sigterm()
    {
        var unit = File.ReadAllLines(Path.Combine(Deploy, "systemd", "actortrain-node.service"))
            .Where(l => l.Contains('=') && !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToLookup(kv => kv[0], kv => kv[1]);
        var example = File.ReadAllLines(Path.Combine(Deploy, "systemd", "node.env.example"))
            .Where(l => l.Contains('=') && !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        string[] exec = unit["ExecStart"].Single().Split(' ');
        Assert.Equal("/opt/actortrain/actortrain", exec[0]);
        var arguments = exec.Skip(1).Select(a => SystemdVariable().Replace(a, m => example[m.Groups[1].Value])).ToList();
        string conf = Path.Combine(Deploy, "systemd", "node.conf");
        var node = NodeArguments.Check(arguments.Select(a => a == "/etc/actortrain/node.conf" ? conf : a).ToList(), "actortrain-node.service");
        Assert.Equal(conf, node.Config[0]); // the host's file first: it wins over the profile
        OperatorConfiguration.Layers(node.Config, null); // parses and checks every key
        ConfigurationLayers.CheckKeys(ConfigurationLayers.FromEnvironment(example.Where(kv => kv.Key.StartsWith("ACTORTRAIN__", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value)), "node.env.example");
        Assert.Equal("SIGTERM", unit["KillSignal"].Single());
        Assert.True(int.Parse(unit["TimeoutStopSec"].Single()) >= 30);
        Assert.Equal("on-failure", unit["Restart"].Single());
        Assert.Equal("/etc/actortrain/node.env", unit["EnvironmentFile"].Single());
    }

    private static HashSet<string> SecretKeys() =>
        [.. ((YamlDotNet.RepresentationModel.YamlMappingNode)Manifest.Kind(Kube("secret.example.yaml"), "Secret").At("stringData")).Children.Keys.Select(k => k.ToString())];

    [GeneratedRegex(@"\$\(([A-Z_]+)\)")]
    private static partial Regex KubeVariable();

    [GeneratedRegex(@"\$\{[A-Z_]+(:\?[^}]*)?\}")]
    private static partial Regex ComposeVariable();

    [GeneratedRegex(@"\$\{([A-Z_0-9]+)\}")]
    private static partial Regex SystemdVariable();
}
