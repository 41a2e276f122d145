package main

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
)

// runtimeSerializer is the codec factory's own decoder for a media type (what a typed client
// uses for responses of that type).
func runtimeSerializer(codecs serializer.CodecFactory, mediaType string) (runtime.Decoder, bool) {
	info, ok := runtime.SerializerInfoForMediaType(codecs.SupportedMediaTypes(), mediaType)
	if !ok {
		return nil, false
	}
	return info.Serializer, true
}
