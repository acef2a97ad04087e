package app.garagesync.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Malformed and hostile request bodies, each with why it must be refused. None of them is a valid
 * backup or change-set, so every endpoint that takes a body must answer 4xx and store nothing.
 */
final class BadRequestCorpus {

    /** A body and the reason it is bad (the case's name in a failure message). */
    record Bad(String why, byte[] body) {
        static Bad of(String why, String body) {
            return new Bad(why, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    private BadRequestCorpus() {
    }

    private static final String OK_ENTITY = "{\"id\":\"c1\",\"name\":\"Élodie\"}";

    private static String backup(String customers) {
        return "{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"data\":{\"customers\":" + customers + ",\"settings\":{}}}";
    }

    static List<Bad> bodies() {
        List<Bad> c = new ArrayList<>();
        // broken JSON
        c.add(Bad.of("empty body", ""));
        c.add(Bad.of("whitespace only", "  \n\t "));
        c.add(Bad.of("null", "null"));
        c.add(Bad.of("a string", "\"data\""));
        c.add(Bad.of("a number", "42"));
        c.add(Bad.of("an array", "[{\"data\":{}}]"));
        c.add(Bad.of("unclosed object", "{\"data\":{}"));
        c.add(Bad.of("unclosed string", "{\"data\":{\"customers\":[{\"id\":\"c1}]}}"));
        c.add(Bad.of("single quotes", "{'data':{}}"));
        c.add(Bad.of("unquoted name", "{data:{}}"));
        c.add(Bad.of("trailing comma in object", "{\"data\":{},}"));
        c.add(Bad.of("trailing comma in array", backup("[" + OK_ENTITY + ",]")));
        c.add(Bad.of("missing colon", "{\"data\" {}}"));
        c.add(Bad.of("comment", "{/* c */\"data\":{}}"));
        c.add(Bad.of("two documents", "{\"data\":{}}{\"data\":{}}"));
        c.add(Bad.of("garbage after the document", "{\"data\":{}} x"));
        c.add(Bad.of("NaN", backup("[{\"id\":1,\"x\":NaN}]")));
        c.add(Bad.of("Infinity", backup("[{\"id\":1,\"x\":-Infinity}]")));
        c.add(Bad.of("leading zeros", backup("[{\"id\":007}]")));
        c.add(Bad.of("hex number", backup("[{\"id\":0x1F}]")));
        c.add(Bad.of("raw control character in a string", backup("[{\"id\":\"a\u0001b\"}]")));
        c.add(Bad.of("raw newline in a string", backup("[{\"id\":\"a\nb\"}]")));
        c.add(Bad.of("bad escape", backup("[{\"id\":\"a\\qb\"}]")));
        c.add(Bad.of("short unicode escape", backup("[{\"id\":\"\\u12\"}]")));
        c.add(Bad.of("NUL after the document", "{\"data\":{}}\u0000"));
        // wrong types and missing parts
        c.add(Bad.of("no data", "{\"timestamp\":\"2026-11-24T08:00:00.000Z\"}"));
        c.add(Bad.of("data is an array", "{\"data\":[]}"));
        c.add(Bad.of("data is a string", "{\"data\":\"all\"}"));
        c.add(Bad.of("data is null", "{\"data\":null}"));
        c.add(Bad.of("garage is an array", "{\"garage\":[],\"data\":{}}"));
        c.add(Bad.of("settings is an array", "{\"data\":{\"settings\":[]}}"));
        c.add(Bad.of("collection is an object", backup("{}")));
        c.add(Bad.of("collection is a number", backup("3")));
        c.add(Bad.of("collection is null", backup("null")));
        c.add(Bad.of("entity is a string", backup("[\"c1\"]")));
        c.add(Bad.of("entity is an array", backup("[[1]]")));
        c.add(Bad.of("entity is null", backup("[null]")));
        c.add(Bad.of("entity without id", backup("[{\"name\":\"x\"}]")));
        c.add(Bad.of("id is true", backup("[{\"id\":true}]")));
        c.add(Bad.of("id is null", backup("[{\"id\":null}]")));
        c.add(Bad.of("id is an object", backup("[{\"id\":{\"k\":1}}]")));
        c.add(Bad.of("id is an array", backup("[{\"id\":[1]}]")));
        c.add(Bad.of("id is empty", backup("[{\"id\":\"\"}]")));
        // duplicates
        c.add(Bad.of("duplicate string ids", backup("[" + OK_ENTITY + "," + OK_ENTITY + "]")));
        c.add(Bad.of("duplicate numeric ids written two ways", backup("[{\"id\":1},{\"id\":1.0}]")));
        c.add(Bad.of("duplicate numeric ids with an exponent", backup("[{\"id\":100},{\"id\":1e2}]")));
        c.add(Bad.of("duplicate member in an entity", backup("[{\"id\":1,\"n\":1,\"n\":2}]")));
        c.add(Bad.of("duplicate id member", backup("[{\"id\":1,\"id\":2}]")));
        c.add(Bad.of("duplicate data member", "{\"data\":{},\"data\":{}}"));
        c.add(Bad.of("duplicate collection", "{\"data\":{\"customers\":[],\"customers\":[]}}"));
        // huge values and deep nesting
        c.add(Bad.of("number of 1001 digits", backup("[{\"id\":1,\"x\":" + "9".repeat(1001) + "}]")));
        c.add(Bad.of("id of 5000 digits", backup("[{\"id\":" + "7".repeat(5000) + "}]")));
        c.add(Bad.of("member name of 20000 characters", backup("[{\"id\":1,\"" + "n".repeat(20_000) + "\":1}]")));
        // found by BackupReaderFuzzTest: was a NumberFormatException, a 500
        c.add(Bad.of("id with an exponent beyond an int", backup("[{\"id\":1e99999999999}]")));
        c.add(Bad.of("nesting 300 deep", backup("[{\"id\":1,\"x\":" + "[".repeat(300) + "]".repeat(300) + "}]")));
        c.add(Bad.of("nesting 5000 deep, unclosed", "{\"data\":" + "{\"a\":".repeat(5000)));
        // invalid UTF-8
        c.add(new Bad("lone continuation byte", withBytes(backup("[{\"id\":\"X\"}]"), (byte) 0x80)));
        c.add(new Bad("0xFF byte", withBytes(backup("[{\"id\":\"X\"}]"), (byte) 0xFF)));
        c.add(new Bad("overlong encoding of '/'", withBytes(backup("[{\"id\":\"X\"}]"), (byte) 0xC0, (byte) 0xAF)));
        c.add(new Bad("UTF-16 surrogate encoded in UTF-8", withBytes(backup("[{\"id\":\"X\"}]"), (byte) 0xED, (byte) 0xA0, (byte) 0x80)));
        c.add(new Bad("truncated 3-byte sequence", withBytes(backup("[{\"id\":\"X\"}]"), (byte) 0xE2, (byte) 0x82)));
        c.add(new Bad("invalid UTF-8 in a skipped value", withBytes("{\"garage\":{\"n\":\"X\"},\"data\":{}}", (byte) 0xFE)));
        c.add(new Bad("invalid UTF-8 in a member name", withBytes("{\"data\":{\"X\":[]}}", (byte) 0xC3, (byte) 0x28)));
        c.add(new Bad("code point above U+10FFFF", withBytes(backup("[{\"id\":\"X\"}]"), (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80)));
        c.add(new Bad("Latin-1 text", backup("[{\"id\":\"X\"}]").replace("X", "caf\u00e9").getBytes(StandardCharsets.ISO_8859_1)));
        c.add(new Bad("UTF-16 body", "{\"data\":{}}".getBytes(StandardCharsets.UTF_16)));
        return c;
    }

    /** {@code json} with its single 'X' replaced by raw bytes. */
    private static byte[] withBytes(String json, byte... raw) {
        int at = json.indexOf('X');
        byte[] head = json.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] tail = json.substring(at + 1).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + raw.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(raw, 0, out, head.length, raw.length);
        System.arraycopy(tail, 0, out, head.length + raw.length, tail.length);
        return out;
    }

    /** Bodies that are valid JSON for a backup but not a valid change-set. */
    static List<Bad> changeSets(long base) {
        List<Bad> c = new ArrayList<>();
        c.add(Bad.of("no baseVersion", "{\"upserts\":{}}"));
        c.add(Bad.of("baseVersion as a string", "{\"baseVersion\":\"" + base + "\"}"));
        c.add(Bad.of("baseVersion 0", "{\"baseVersion\":0}"));
        c.add(Bad.of("baseVersion negative", "{\"baseVersion\":-" + base + "}"));
        c.add(Bad.of("baseVersion fractional", "{\"baseVersion\":" + base + ".5}"));
        c.add(Bad.of("baseVersion beyond a long", "{\"baseVersion\":99999999999999999999999}"));
        c.add(Bad.of("upserts is an array", "{\"baseVersion\":" + base + ",\"upserts\":[]}"));
        c.add(Bad.of("upserted collection is an object", "{\"baseVersion\":" + base + ",\"upserts\":{\"customers\":{}}}"));
        c.add(Bad.of("upserted entity is a number", "{\"baseVersion\":" + base + ",\"upserts\":{\"customers\":[1]}}"));
        c.add(Bad.of("upserted entity without id", "{\"baseVersion\":" + base + ",\"upserts\":{\"customers\":[{\"n\":1}]}}"));
        c.add(Bad.of("upserted id with an exponent beyond an int", "{\"baseVersion\":" + base + ",\"upserts\":{\"customers\":[{\"id\":1e99999999999}]}}"));
        c.add(Bad.of("upserted duplicate ids", "{\"baseVersion\":" + base + ",\"upserts\":{\"customers\":[{\"id\":1},{\"id\":1.00}]}}"));
        c.add(Bad.of("upserts settings as a collection", "{\"baseVersion\":" + base + ",\"upserts\":{\"settings\":[]}}"));
        c.add(Bad.of("deletes is an array", "{\"baseVersion\":" + base + ",\"deletes\":[\"c1\"]}"));
        c.add(Bad.of("deleted id is an object", "{\"baseVersion\":" + base + ",\"deletes\":{\"customers\":[{}]}}"));
        c.add(Bad.of("deleted id is empty", "{\"baseVersion\":" + base + ",\"deletes\":{\"customers\":[\"\"]}}"));
        c.add(Bad.of("settings is an array", "{\"baseVersion\":" + base + ",\"settings\":[]}"));
        c.add(Bad.of("garage is a string", "{\"baseVersion\":" + base + ",\"garage\":\"x\"}"));
        c.add(Bad.of("timestamp is an object", "{\"baseVersion\":" + base + ",\"timestamp\":{}}"));
        c.add(Bad.of("unknown member", "{\"baseVersion\":" + base + ",\"drop\":true}"));
        c.add(Bad.of("a whole backup instead", backup("[" + OK_ENTITY + "]")));
        c.add(Bad.of("duplicate baseVersion", "{\"baseVersion\":" + base + ",\"baseVersion\":" + base + "}"));
        c.add(Bad.of("stale baseVersion", "{\"baseVersion\":" + (base + 1000) + ",\"upserts\":{\"customers\":[{\"id\":9}]}}"));
        return c;
    }
}
