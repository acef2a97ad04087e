package app.garagesync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Map;

/** The one JSON mapper configuration of the daemon, for its own small documents (never for backups). */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    private Json() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + value.getClass(), e);
        }
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + value.getClass(), e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(byte[] json) throws IOException {
        return MAPPER.readValue(json, Map.class);
    }

    /**
     * A JSON object a client sent: a key given twice is an error (a plain read keeps the last one, so
     * {"enabled": false, "enabled": true} would mean whatever the client's serializer put last).
     */
    public static Map<String, Object> readClientMap(byte[] json) throws IOException {
        return MAPPER.readerFor(Map.class).with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).readValue(json);
    }
}
