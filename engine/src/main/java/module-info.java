/** Model builders, lowering, backends, collectives, runtimes, the trainer, profiling, validation and the CLI. */
module io.github.alpa4j.engine {
    requires io.github.alpa4j.planner;
    requires io.github.alpa4j.kernels;
    requires io.github.alpa4j.energy;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires com.fasterxml.jackson.databind;
    requires org.knowm.xchart;
    requires java.desktop;
    requires java.management;
    requires jdk.unsupported; // sun.misc.Signal: SIGINT and SIGTERM stop training between steps

    opens io.github.alpa4j.engine.cli to info.picocli; // picocli fills the commands' options by reflection
}
