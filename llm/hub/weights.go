package hub

import "encoding/json"

// indexShards lists the shard files a model.safetensors.index.json maps tensors to.
func indexShards(data []byte) []string {
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if json.Unmarshal(data, &idx) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range idx.WeightMap {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
