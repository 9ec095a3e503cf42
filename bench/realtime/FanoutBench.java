import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Fan-out benchmark of realtime-service: N WebSocket connections (one NIO selector thread, no
 * dependencies, so it runs with `java FanoutBench.java`), each subscribed to K of S symbols, while
 * ticks are published to Redis `income:ticks` at a fixed rate. Every tick carries its publish time
 * in `ts`; each update received is timed against it. See README.md next to this file.
 */
public class FanoutBench {

    static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    static final byte[] TS_KEY = "\"ts\":\"".getBytes(StandardCharsets.US_ASCII);
    static final int MAX_LAG_MS = 60_000;

    // settings
    static String host = "127.0.0.1";
    static int port = 8084;
    static int connections = 10_000;
    static int symbolsPerConnection = 20;
    static int symbolCount = 1_000;
    static int ticksPerSecond = 1_000;
    static int warmupSeconds = 10;
    static int measureSeconds = 30;
    static int windowMs = 1_000;
    static int connectConcurrency = 200;
    static String redisUrl = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
    static String secret = System.getenv().getOrDefault("AUTH_JWT_SECRET", "local-development-secret-at-least-32-bytes!!");
    static long servicePid = -1;

    // measurements (written by the selector thread, read by main)
    static final AtomicLong updates = new AtomicLong();
    static final AtomicLong messages = new AtomicLong();
    static final AtomicLong errors = new AtomicLong();
    static final AtomicLong publishedTicks = new AtomicLong();
    static final AtomicLongArray lagHistogram = new AtomicLongArray(MAX_LAG_MS + 1);
    static volatile boolean measuring;
    static int open;
    static int failed;
    static int closedByServer;
    static final Map<Integer, Integer> closeCodes = new HashMap<>();

    public static void main(String[] args) throws Exception {
        parse(args);
        String[] symbols = new String[symbolCount];
        for (int i = 0; i < symbolCount; i++) {
            symbols[i] = String.format("BENCH%04d", i);
        }
        System.out.printf("realtime fan-out bench: %d connections x %d of %d symbols, %d ticks/s, window %d ms, ws://%s:%d%n",
                connections, symbolsPerConnection, symbolCount, ticksPerSecond, windowMs, host, port);

        Selector selector = Selector.open();
        List<Conn> conns = new ArrayList<>(connections);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < connections; i++) {
            conns.add(new Conn(i, subscribeFrame(symbols, random)));
        }
        Thread loop = new Thread(() -> selectLoop(selector, conns), "bench-selector");
        long connectStart = System.nanoTime();
        loop.setDaemon(true);
        loop.start();
        while (true) {
            Thread.sleep(500);
            int done;
            synchronized (FanoutBench.class) {
                done = open + failed;
            }
            if (done >= connections || System.nanoTime() - connectStart > 180_000_000_000L) {
                break;
            }
        }
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        System.out.printf("connected: %d open, %d failed in %.1f s%n", open, failed, connectSeconds);

        Thread publisher = new Thread(() -> publish(symbols), "bench-publisher");
        publisher.setDaemon(true);
        publisher.start();
        Thread.sleep(warmupSeconds * 1000L);

        long publishedBefore = publishedTicks.get();
        long updatesBefore = updates.get();
        long messagesBefore = messages.get();
        long serviceCpuBefore = serviceCpuNanos();
        long clientCpuBefore = clientCpuNanos();
        measuring = true;
        long maxHeap = 0;
        long maxRss = 0;
        long start = System.nanoTime();
        for (int s = 0; s < measureSeconds; s++) {
            Thread.sleep(1000);
            if (s % 5 == 4) {
                maxHeap = Math.max(maxHeap, serviceHeapBytes());
                maxRss = Math.max(maxRss, serviceRssBytes());
            }
        }
        measuring = false;
        double seconds = (System.nanoTime() - start) / 1e9;
        double serviceCores = (serviceCpuNanos() - serviceCpuBefore) / 1e9 / seconds;
        double clientCores = (clientCpuNanos() - clientCpuBefore) / 1e9 / seconds;
        long deliveredUpdates = updates.get() - updatesBefore;
        long deliveredMessages = messages.get() - messagesBefore;
        long published = publishedTicks.get() - publishedBefore;

        long[] histogram = new long[MAX_LAG_MS + 1];
        long samples = 0;
        for (int i = 0; i <= MAX_LAG_MS; i++) {
            histogram[i] = lagHistogram.get(i);
            samples += histogram[i];
        }
        int p50 = percentile(histogram, samples, 0.50);
        int p99 = percentile(histogram, samples, 0.99);
        int max = percentile(histogram, samples, 1.0);
        int stillOpen;
        synchronized (FanoutBench.class) {
            stillOpen = open;
        }
        System.out.println("---- results ----");
        System.out.printf("connections held: %d of %d (failed %d, closed by server %d %s)%n",
                stillOpen, connections, failed, closedByServer, closeCodes);
        System.out.printf("published: %.0f ticks/s to income:ticks%n", published / seconds);
        System.out.printf("delivered: %.0f updates/s in %.0f prices messages/s (%.1f updates per message) over %.0f s%n",
                deliveredUpdates / seconds, deliveredMessages / seconds,
                deliveredMessages == 0 ? 0 : (double) deliveredUpdates / deliveredMessages, seconds);
        System.out.printf("delivery lag (tick ts -> received): p50 %d ms, p99 %d ms, max %d ms%n", p50, p99, max);
        System.out.printf("lag beyond the %d ms window: p50 %d ms, p99 %d ms, max %d ms%n",
                windowMs, Math.max(0, p50 - windowMs), Math.max(0, p99 - windowMs), Math.max(0, max - windowMs));
        System.out.printf("service memory: heap used max %.0f MiB (sampled every 5 s), RSS max %s%n",
                maxHeap / 1048576.0, maxRss > 0 ? String.format("%.0f MiB", maxRss / 1048576.0) : "n/a (pass --service-pid)");
        System.out.printf("CPU used: service %s cores, load client %.2f cores; machine load average %.1f on %d cores%n",
                servicePid > 0 ? String.format("%.2f", serviceCores) : "n/a", clientCores,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("client errors: %d%n", errors.get());
        System.exit(0);
    }

    // ---- WebSocket connections, all on one selector thread ----------------------------------

    static final class Conn {
        final int index;
        final byte[] subscribe;
        SocketChannel channel;
        ByteBuffer in = ByteBuffer.allocate(8192);
        boolean upgraded;
        boolean closed;

        Conn(int index, byte[] subscribe) {
            this.index = index;
            this.subscribe = subscribe;
        }
    }

    static void selectLoop(Selector selector, List<Conn> conns) {
        int next = 0;
        int pendingHandshakes = 0;
        try {
            while (true) {
                while (next < conns.size() && pendingHandshakes < connectConcurrency) {
                    Conn conn = conns.get(next++);
                    try {
                        conn.channel = SocketChannel.open();
                        conn.channel.configureBlocking(false);
                        conn.channel.connect(new InetSocketAddress(host, port));
                        conn.channel.register(selector, SelectionKey.OP_CONNECT, conn);
                        pendingHandshakes++;
                    } catch (IOException e) {
                        fail(conn, e);
                    }
                }
                selector.select(100);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    Conn conn = (Conn) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            conn.channel.finishConnect();
                            writeFully(conn.channel, handshake(conn.index));
                            key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable()) {
                            boolean wasUpgraded = conn.upgraded;
                            read(conn, key);
                            if (!wasUpgraded && (conn.upgraded || conn.closed)) {
                                pendingHandshakes--;
                            }
                        }
                    } catch (IOException e) {
                        if (!conn.upgraded) {
                            pendingHandshakes--;
                        }
                        key.cancel();
                        fail(conn, e);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void read(Conn conn, SelectionKey key) throws IOException {
        if (!conn.in.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(conn.in.capacity() * 2);
            conn.in.flip();
            bigger.put(conn.in);
            conn.in = bigger;
        }
        int read = conn.channel.read(conn.in);
        if (read < 0) {
            key.cancel();
            conn.channel.close();
            markClosed(conn, -1);
            return;
        }
        conn.in.flip();
        if (!conn.upgraded) {
            int end = headEnd(conn.in);
            if (end < 0) {
                conn.in.compact();
                return;
            }
            String head = new String(conn.in.array(), 0, end, StandardCharsets.US_ASCII);
            if (!head.startsWith("HTTP/1.1 101")) {
                conn.channel.close();
                conn.closed = true;
                fail(conn, new IOException(head.lines().findFirst().orElse("no status")));
                return;
            }
            conn.in.position(end);
            conn.upgraded = true;
            synchronized (FanoutBench.class) {
                open++;
            }
            writeFully(conn.channel, conn.subscribe);
        }
        parseFrames(conn, key);
        conn.in.compact();
    }

    static void parseFrames(Conn conn, SelectionKey key) throws IOException {
        ByteBuffer buf = conn.in;
        while (buf.remaining() >= 2) {
            int start = buf.position();
            int b0 = buf.get(start) & 0xFF;
            int b1 = buf.get(start + 1) & 0x7F;
            int headerLength = 2;
            long length = b1;
            if (b1 == 126) {
                if (buf.remaining() < 4) {
                    return;
                }
                length = buf.getShort(start + 2) & 0xFFFF;
                headerLength = 4;
            } else if (b1 == 127) {
                if (buf.remaining() < 10) {
                    return;
                }
                length = buf.getLong(start + 2);
                headerLength = 10;
            }
            if (buf.remaining() < headerLength + length) {
                if (headerLength + length > buf.capacity()) {
                    ByteBuffer bigger = ByteBuffer.allocate((int) (headerLength + length) * 2);
                    bigger.put(buf);
                    bigger.flip();
                    conn.in = bigger;
                }
                return;
            }
            int payload = start + headerLength;
            int opcode = b0 & 0x0F;
            if (opcode == 1) {
                onText(buf.array(), payload, (int) length);
            } else if (opcode == 8) {
                int code = length >= 2 ? buf.getShort(payload) & 0xFFFF : 1005;
                key.cancel();
                conn.channel.close();
                markClosed(conn, code);
                buf.position(buf.limit());
                return;
            } else if (opcode == 9) {
                byte[] data = new byte[(int) length];
                buf.get(payload, data);
                writeFully(conn.channel, maskedFrame(0x8A, data));
            }
            buf.position(payload + (int) length);
        }
    }

    /** Counts a prices message's updates and times each against its `ts` (publish time, ms precision). */
    static void onText(byte[] data, int from, int length) {
        int end = from + length;
        if (!startsWith(data, from, end, "{\"type\":\"prices\"")) {
            return;
        }
        long nowMillis = System.currentTimeMillis();
        long dayStart = nowMillis - Math.floorMod(nowMillis, 86_400_000L);
        int count = 0;
        for (int i = from; i < end - TS_KEY.length - 24; i++) {
            if (data[i] == '"' && matches(data, i, TS_KEY)) {
                int t = i + TS_KEY.length + 11; // skip "uuuu-MM-ddT"
                long ms = digits(data, t, 2) * 3_600_000L + digits(data, t + 3, 2) * 60_000L
                        + digits(data, t + 6, 2) * 1000L + digits(data, t + 9, 3);
                long lag = nowMillis - (dayStart + ms);
                if (lag < -43_200_000L) {
                    lag += 86_400_000L; // published before midnight UTC
                }
                if (measuring) {
                    lagHistogram.incrementAndGet((int) Math.max(0, Math.min(MAX_LAG_MS, lag)));
                }
                count++;
                i = t + 12;
            }
        }
        updates.addAndGet(count);
        messages.incrementAndGet();
    }

    // ---- ticks to Redis ------------------------------------------------------------------------

    static void publish(String[] symbols) {
        URI uri = URI.create(redisUrl);
        int batchesPerSecond = 100;
        int ticksPerBatch = Math.max(1, ticksPerSecond / batchesPerSecond);
        SplittableRandom random = new SplittableRandom(7);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            // replies (subscriber counts) are drained on their own thread: publishing never waits for a round trip
            Thread drain = new Thread(() -> {
                try {
                    while (in.readLine() != null) {
                        // discard
                    }
                } catch (IOException ignored) {
                    // socket closed at exit
                }
            }, "bench-publisher-replies");
            drain.setDaemon(true);
            drain.start();
            long next = System.nanoTime();
            while (true) {
                StringBuilder message = new StringBuilder(ticksPerBatch * 180).append("{\"ticks\":[");
                String ts = TS.format(Instant.now());
                for (int t = 0; t < ticksPerBatch; t++) {
                    String symbol = symbols[random.nextInt(symbols.length)];
                    double price = 50 + random.nextInt(10_000) / 100.0;
                    if (t > 0) {
                        message.append(',');
                    }
                    message.append("{\"symbol\":\"").append(symbol).append("\",\"price\":").append(price)
                            .append(",\"previousClose\":50.0,\"change\":").append(Math.round((price - 50) * 100) / 100.0)
                            .append(",\"changeRatio\":0.01,\"volume\":100,\"ts\":\"").append(ts)
                            .append("\",\"source\":\"bench\"}");
                }
                message.append("]}");
                byte[] payload = message.toString().getBytes(StandardCharsets.UTF_8);
                String header = "*3\r\n$7\r\nPUBLISH\r\n$12\r\nincome:ticks\r\n$" + payload.length + "\r\n";
                out.write(header.getBytes(StandardCharsets.US_ASCII));
                out.write(payload);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                publishedTicks.addAndGet(ticksPerBatch);
                next += 1_000_000_000L / batchesPerSecond;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("publisher stopped: " + e);
        }
    }

    // ---- service memory ------------------------------------------------------------------------

    static long serviceHeapBytes() {
        try {
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long sum = 0;
            for (String line : metrics.body().split("\n")) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return 0;
        }
    }

    /** utime + stime of the service process, from /proc (clock ticks of 10 ms on Linux). */
    static long serviceCpuNanos() {
        if (servicePid < 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + servicePid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long clientCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static long serviceRssBytes() {
        if (servicePid < 0) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + servicePid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    // ---- helpers -------------------------------------------------------------------------------

    static byte[] handshake(int index) {
        String token = jwt(new UUID(0xBE7C400000000000L, index).toString());
        return ("GET /ws/v1/prices HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: bearer." + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static String jwt(String subject) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        long now = Instant.now().getEpochSecond();
        String claims = b64.encodeToString(("{\"sub\":\"" + subject + "\",\"role\":\"authenticated\",\"iat\":" + now
                + ",\"exp\":" + (now + 3600) + "}").getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = b64.encodeToString(mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));
            return header + "." + claims + "." + signature;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] subscribeFrame(String[] symbols, SplittableRandom random) {
        StringBuilder json = new StringBuilder("{\"type\":\"subscribe\",\"symbols\":[");
        java.util.Set<Integer> picked = new java.util.HashSet<>();
        while (picked.size() < symbolsPerConnection) {
            picked.add(random.nextInt(symbols.length));
        }
        boolean first = true;
        for (int i : picked) {
            json.append(first ? "\"" : ",\"").append(symbols[i]).append('"');
            first = false;
        }
        return maskedFrame(0x81, json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
    }

    static byte[] maskedFrame(int firstByte, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 8);
        frame.write(firstByte);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        }
        byte[] mask = {1, 2, 3, 4};
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    static int headEnd(ByteBuffer buf) {
        for (int i = buf.position(); i + 3 < buf.limit(); i++) {
            if (buf.get(i) == '\r' && buf.get(i + 1) == '\n' && buf.get(i + 2) == '\r' && buf.get(i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    static boolean startsWith(byte[] data, int from, int end, String prefix) {
        return end - from >= prefix.length() && matches(data, from, prefix.getBytes(StandardCharsets.US_ASCII));
    }

    static boolean matches(byte[] data, int at, byte[] pattern) {
        for (int j = 0; j < pattern.length; j++) {
            if (data[at + j] != pattern[j]) {
                return false;
            }
        }
        return true;
    }

    static long digits(byte[] data, int at, int count) {
        long value = 0;
        for (int j = 0; j < count; j++) {
            value = value * 10 + (data[at + j] - '0');
        }
        return value;
    }

    static int percentile(long[] histogram, long samples, double p) {
        if (samples == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(p * samples);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= rank && histogram[i] > 0) {
                return i;
            }
        }
        return histogram.length - 1;
    }

    static synchronized void fail(Conn conn, Exception e) {
        failed++;
        errors.incrementAndGet();
        if (failed <= 5) {
            System.err.println("connection " + conn.index + " failed: " + e);
        }
    }

    static synchronized void markClosed(Conn conn, int code) {
        if (conn.closed) {
            return;
        }
        conn.closed = true;
        if (conn.upgraded) {
            open--;
            closedByServer++;
            closeCodes.merge(code, 1, Integer::sum);
        } else {
            failed++;
        }
    }

    static void parse(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--host" -> host = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--connections" -> connections = Integer.parseInt(value);
                case "--symbols-per-connection" -> symbolsPerConnection = Integer.parseInt(value);
                case "--symbols" -> symbolCount = Integer.parseInt(value);
                case "--ticks-per-second" -> ticksPerSecond = Integer.parseInt(value);
                case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(value);
                case "--seconds" -> measureSeconds = Integer.parseInt(value);
                case "--window-ms" -> windowMs = Integer.parseInt(value);
                case "--connect-concurrency" -> connectConcurrency = Integer.parseInt(value);
                case "--service-pid" -> servicePid = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
    }
}
