package dev.imagefn.bench;

import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/** Looks into a child JVM: RSS from /proc, heap and allocation over JMX (localhost, no auth). */
final class Probe implements AutoCloseable {
    private final long pid;
    private JMXConnector jmx;
    private MBeanServerConnection mbeans;

    Probe(long pid) {
        this.pid = pid;
    }

    static String[] jmxFlags(int port) {
        return new String[] {"-Dcom.sun.management.jmxremote.port=" + port,
            "-Dcom.sun.management.jmxremote.rmi.port=" + port, "-Dcom.sun.management.jmxremote.authenticate=false",
            "-Dcom.sun.management.jmxremote.ssl=false", "-Dcom.sun.management.jmxremote.host=127.0.0.1",
            "-Djava.rmi.server.hostname=127.0.0.1"};
    }

    void connect(int port) throws IOException {
        jmx = JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi"));
        mbeans = jmx.getMBeanServerConnection();
    }

    /** Resident set size now and its high-water mark, bytes. */
    long rss() throws IOException {
        return status("VmRSS:");
    }

    long rssPeak() throws IOException {
        return status("VmHWM:");
    }

    /** Resets the kernel's RSS high-water mark (writing 5 to clear_refs). */
    void resetRssPeak() {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
        } catch (IOException e) {
            // not permitted: the peak then covers the whole life of the process
        }
    }

    private long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    long allocatedBytes() throws Exception {
        return (Long) mbeans.getAttribute(new ObjectName("java.lang:type=Threading"), "TotalThreadAllocatedBytes");
    }

    long heapUsed() throws Exception {
        CompositeData d = (CompositeData) mbeans.getAttribute(new ObjectName("java.lang:type=Memory"), "HeapMemoryUsage");
        return MemoryUsage.from(d).getUsed();
    }

    void gc() throws Exception {
        mbeans.invoke(new ObjectName("java.lang:type=Memory"), "gc", null, null);
    }

    /** Sum of the heap pools' peak usage since the last reset. */
    long heapPeak() throws Exception {
        long sum = 0;
        for (ObjectName pool : mbeans.queryNames(new ObjectName("java.lang:type=MemoryPool,*"), null)) {
            if ("HEAP".equals(String.valueOf(mbeans.getAttribute(pool, "Type")))) {
                sum += MemoryUsage.from((CompositeData) mbeans.getAttribute(pool, "PeakUsage")).getUsed();
            }
        }
        return sum;
    }

    void resetHeapPeak() throws Exception {
        for (ObjectName pool : mbeans.queryNames(new ObjectName("java.lang:type=MemoryPool,*"), null)) {
            mbeans.invoke(pool, "resetPeakUsage", null, null);
        }
    }

    @Override
    public void close() throws IOException {
        if (jmx != null) {
            jmx.close();
        }
    }
}
