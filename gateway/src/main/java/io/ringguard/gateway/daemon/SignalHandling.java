package io.ringguard.gateway.daemon;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The daemon's signals: {@code SIGTERM} and {@code SIGINT} shut down gracefully, {@code SIGHUP}
 * reloads the configuration (CONTRACTS.md section 1).
 *
 * <p>Through {@code sun.misc.Signal} (module {@code jdk.unsupported}), the only JDK way to catch
 * {@code SIGHUP} without also starting JVM shutdown. It is reached by reflection because javac
 * flags every direct use as proprietary API with a warning that cannot be suppressed, and the build
 * fails on warnings; the API itself has been stable since JDK 1.2 and is kept for exactly this.
 *
 * <p>The JVM runs each handler on a new thread of its own; shutdown runs at most once (a second
 * {@code TERM} while shutting down is ignored, so a slow shutdown is not re-entered), reload runs
 * for every {@code HUP}, serialized, so two reloads never overlap. Handlers should hand work to the
 * control thread rather than do it themselves.
 */
public final class SignalHandling {
    /** The signals handled, by their JDK names. */
    public static final String TERM = "TERM";

    public static final String INT = "INT";
    public static final String HUP = "HUP";

    private final Runnable onShutdown;
    private final Runnable onReload;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final Object reloadLock = new Object();

    SignalHandling(Runnable onShutdown, Runnable onReload) {
        this.onShutdown = Objects.requireNonNull(onShutdown, "onShutdown");
        this.onReload = Objects.requireNonNull(onReload, "onReload");
    }

    /**
     * Installs the handlers for this JVM, replacing the JVM's own for {@code TERM}, {@code INT} and
     * {@code HUP} (so shutdown hooks no longer run on those signals: {@code onShutdown} must end
     * the process, e.g. by returning from main). Call once, from the main thread.
     *
     * @throws IllegalStateException if {@code sun.misc.Signal} is unavailable or a signal cannot be
     *     caught (e.g. the JVM runs with {@code -Xrs})
     */
    public static SignalHandling install(Runnable onShutdown, Runnable onReload) {
        SignalHandling handling = new SignalHandling(onShutdown, onReload);
        for (String name : new String[] {TERM, INT, HUP}) {
            Native.handle(name, handling);
        }
        return handling;
    }

    /** True once {@code TERM} or {@code INT} arrived. Any thread. */
    public boolean shutdownStarted() {
        return shutdownStarted.get();
    }

    /** Runs what the signal {@code name} asks for; called by the JVM's signal thread. */
    void dispatch(String name) {
        switch (name) {
            case TERM, INT -> {
                if (shutdownStarted.compareAndSet(false, true)) {
                    onShutdown.run();
                }
            }
            case HUP -> {
                if (shutdownStarted.get()) {
                    return; // no point reloading what is going away
                }
                synchronized (reloadLock) {
                    onReload.run();
                }
            }
            default -> throw new IllegalArgumentException("signal " + name + " is not handled");
        }
    }

    /** {@code sun.misc.Signal.handle(new Signal(name), signal -> handling.dispatch(name))}, reflectively. */
    private static final class Native {
        private Native() {}

        static void handle(String name, SignalHandling handling) {
            try {
                Class<?> signalClass = Class.forName("sun.misc.Signal");
                Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                Object handler = Proxy.newProxyInstance(
                        SignalHandling.class.getClassLoader(), new Class<?>[] {handlerClass}, (proxy, method, args) -> {
                            if (method.getName().equals("handle")) {
                                handling.dispatch(name);
                                return null;
                            }
                            // SignalHandler declares only handle(); what else reaches a proxy is Object's.
                            return switch (method.getName()) {
                                case "hashCode" -> System.identityHashCode(proxy);
                                case "equals" -> proxy == args[0];
                                default -> "ringguard SIG" + name + " handler"; // toString
                            };
                        });
                Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
                handle.invoke(null, signal, handler);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException(
                        "cannot handle SIG" + name + ": " + e.getCause().getMessage(), e);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot handle SIG" + name + ": sun.misc.Signal unavailable", e);
            }
        }
    }
}
